/** Reading HTML forms into the same zod schemas the API validates with (STYLE.md rule 2). */
import type { Context } from 'hono';
import type { z } from '@hono/zod-openapi';
import { validationError } from '../http/app.js';
import { unacceptableText, unstorableTextIn } from '../http/text-guard.js';
import { londonDateOf } from '../domain/london-time.js';

export type FormValues = Record<string, string | string[]>;

/** Looked up instead of an id that cannot be one, so it is refused as any unknown id is. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

/** An id from a path or a form as a service may look it up: anything that cannot be an id becomes one that finds nothing. */
export const idOrNone = (value: string | undefined): string => (value && /^[0-9a-f-]{36}$/i.test(value) ? value : NO_ID);

/** Every field as a string, or a list of strings for repeated names (checkboxes); files are ignored. */
export async function readForm(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const out: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf') continue;
    if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string');
    else if (typeof value === 'string') out[key] = value;
  }
  // Fields some pages read without a schema must not carry a NUL to PostgreSQL either.
  const problems = Object.entries(out).flatMap(([key, v]) => unstorableTextIn(v, key));
  if (problems.length) throw unacceptableText(problems);
  return mergeDates(out);
}

/**
 * GOV.UK date inputs send a date as three fields (`name-day`, `name-month`,
 * `name-year`); put each back as `name` = YYYY-MM-DD so the API's schema reads
 * it. A half-filled or non-numeric date becomes 0000-00-00, which that schema
 * refuses as "not a real date"; an empty one is an empty string. A query string may
 * also give `name` directly (links between pages do).
 */
export function mergeDates<T extends Record<string, string | string[]>>(values: T): T & Record<string, string> {
  const out: Record<string, string | string[]> = { ...values };
  for (const key of Object.keys(values)) {
    const m = /^(.+)-day$/.exec(key);
    if (!m) continue;
    const name = m[1]!;
    const part = (k: string) => String((Array.isArray(values[`${name}-${k}`]) ? values[`${name}-${k}`]![0] : values[`${name}-${k}`]) ?? '').trim();
    const [d, mo, y] = [part('day'), part('month'), part('year')];
    if (!d && !mo && !y) {
      if (out[name] === undefined) out[name] = '';
      continue;
    }
    out[name] = /^\d{1,2}$/.test(d) && /^\d{1,2}$/.test(mo) && /^\d{4}$/.test(y) ? `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}` : '0000-00-00';
  }
  return out as T & Record<string, string>;
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
  if (!result.success) throw validationError(result.error.issues);
  return result.data;
}

export const today = () => londonDateOf(new Date());
export const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
