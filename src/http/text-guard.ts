/**
 * Text PostgreSQL cannot store never gets past the edge: a NUL or an unpaired
 * surrogate anywhere in a JSON body (values and field names, including fields
 * of JSON columns no schema spells out), the query or the path is answered with
 * 422 naming where it was. The zod string schemas (src/schemas/common.ts) check
 * the same per field; this catches what no field schema sees, so nothing can
 * reach PostgreSQL's 22021/22P05 and come back as a 500.
 */
import { createMiddleware } from 'hono/factory';
import { isStorableText, UNSTORABLE_TEXT } from '../schemas/common.js';
import type { AppEnv } from './app.js';
import { ApiError, type FieldProblem } from '../errors.js';

/** Enough to point a client at its mistakes without walking a hostile body to its end. */
const MAX_PROBLEMS = 20;

export function unstorableTextIn(value: unknown, root: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // Iterative: a body may nest deeper than the call stack.
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length && problems.length < MAX_PROBLEMS) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) problems.push({ path, message: UNSTORABLE_TEXT });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (!isStorableText(k)) problems.push({ path, message: `a field name ${UNSTORABLE_TEXT}` });
        else stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return problems;
}

export const unacceptableText = (errors: FieldProblem[]) =>
  new ApiError('UNACCEPTABLE_TEXT', `${errors.map((e) => e.path).join(', ')}: ${UNSTORABLE_TEXT}`, { errors });

const isJson = (type: string | undefined) => !!type && /^application\/([\w.+-]*\+)?json\b/i.test(type.trim());

export const refuseUnstorableText = createMiddleware<AppEnv>(async (c, next) => {
  const problems: FieldProblem[] = [];
  const url = new URL(c.req.url);
  for (const segment of url.pathname.split('/')) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // Malformed percent-encoding cannot decode to anything; routing refuses it.
    }
    if (!isStorableText(decoded)) problems.push({ path: 'path', message: UNSTORABLE_TEXT });
  }
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (!isStorableText(name)) problems.push({ path: 'query', message: `a parameter name ${UNSTORABLE_TEXT}` });
    else for (const v of values) if (!isStorableText(v)) problems.push({ path: `query.${name}`, message: UNSTORABLE_TEXT });
  }
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && isJson(c.req.header('Content-Type'))) {
    let parsed: unknown;
    let parses = true;
    try {
      // Hono's cached text: read once from the socket (node-server's fast path, no web Request or stream
      // tee as raw.clone() makes), and the route's validator parses the same text again from that cache.
      parsed = JSON.parse(await c.req.text());
    } catch {
      parses = false; // not JSON: the route's validator answers that with 400
    }
    if (parses) problems.push(...unstorableTextIn(parsed, 'body'));
  }
  if (problems.length) throw unacceptableText(problems.slice(0, MAX_PROBLEMS));
  await next();
});
