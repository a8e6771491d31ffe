/** Reading HTML forms into the same zod schemas the API validates with (STYLE.md rule 2). */
import type { Context } from 'hono';
import type { z } from '@hono/zod-openapi';
import { fieldProblems } from '../http/app.js';
import { invalid } from '../http/problem.js';
import { londonDateOf } from '../domain/london-time.js';

export type FormValues = Record<string, string | string[]>;

/** Every field as a string, or a list of strings for repeated names (checkboxes); files are ignored. */
export async function readForm(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const out: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf') continue;
    if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string');
    else if (typeof value === 'string') out[key] = value;
  }
  return out;
}

export const text = (form: FormValues, key: string): string => {
  const v = form[key];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
};
export const list = (form: FormValues, key: string): string[] => {
  const v = form[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
/** An optional text field: empty means absent. */
export const optional = (form: FormValues, key: string): string | undefined => text(form, key) || undefined;
export const integer = (form: FormValues, key: string): number | undefined => {
  const v = text(form, key);
  return v === '' ? undefined : Number(v);
};

/** Validate with the API's schema; a failure is the same ApiError the API would send. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(fieldProblems(result.error.issues));
  return result.data;
}

export const today = () => londonDateOf(new Date());
export const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
