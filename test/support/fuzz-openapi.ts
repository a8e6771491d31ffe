/**
 * Request generators for the API fuzzer: fast-check
 * arbitraries built from the OpenAPI document itself, so every operation the
 * document describes is fuzzed and a new route is covered without editing the
 * fuzzer. Each value is either shaped like the schema (valid-looking, at its
 * boundaries) or hostile (wrong type, huge, malformed date or RRULE, unknown
 * field, bad uuid).
 */
import fc from 'fast-check';

type Schema = Record<string, any>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
export interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  operation: string;
}

const HUGE = 'A'.repeat(260 * 1024); // above the 256 KiB body limit
const hostileStrings = [
  '', ' ', 'null', 'undefined', '0', '-1', 'NaN', 'Infinity', 'true', '[]', '{}',
  '2026-02-30', '2026-13-01', '2026-00-10', '99999-01-01', '0000-01-01', '1900-01-01', '9999-12-31', '2026-1-1', '2026-01-01T25:00:00Z', 'not-a-date',
  '24:00', '23:60', '-1:00', '7pm',
  'FREQ=SECONDLY', 'FREQ=MINUTELY;INTERVAL=1', 'FREQ=HOURLY;COUNT=100000000', 'FREQ=DAILY;COUNT=2147483647', 'FREQ=YEARLY;BYSETPOS=0',
  'FREQ=WEEKLY;BYDAY=XX', 'RRULE:FREQ=DAILY', 'FREQ=DAILY;UNTIL=99991231T000000Z', 'FREQ=DAILY;INTERVAL=0', 'FREQ=DAILY;INTERVAL=-5', 'FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2', 'garbage rule',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '123e4567-e89b-12d3-a456-42661417400', 'not-a-uuid', '../../etc/passwd', '%00', '%2e%2e%2f',
  "' OR 1=1 --", "'); DROP TABLE booking; --", '<script>alert(1)</script>', '${jndi:ldap://x}', '\u0000', '\uD800', '😀'.repeat(50), 'ü'.repeat(300),
  'x'.repeat(201), 'x'.repeat(1001), 'x'.repeat(20_000),
];
const hostileValues: unknown[] = [
  null, true, false, 0, -1, 1.5, -0, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 1e308, -1e308, [], {}, [null], [[[[[[]]]]]],
  { __proto__: { admin: true } }, { constructor: { prototype: { admin: true } } }, Array.from({ length: 10_000 }, (_, i) => i),
];

/**
 * Text PostgreSQL cannot store (NUL, an unpaired surrogate) or that no name
 * should hold (control characters), spliced into an otherwise ordinary string:
 * the API must refuse it with 422, never pass it to the database.
 */
const UNSTORABLE = ['\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D'];
const CONTROL = ['\u0001', '\u0007', '\u001B', '\u007F', '\u000B'];
export const unstorableString = (base: fc.Arbitrary<string> = fc.string({ maxLength: 20 })) =>
  fc.tuple(base, fc.constantFrom(...UNSTORABLE, ...UNSTORABLE, ...CONTROL), fc.nat()).map(([b, bad, n]) => {
    const at = b.length ? n % (b.length + 1) : 0;
    return b.slice(0, at) + bad + b.slice(at);
  });

/** How many strings in a request's JSON text or query carry a NUL or an unpaired surrogate (JSON.stringify escapes both). */
export function countUnstorable(text: string): number {
  return (text.match(/\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}|%00/gi) ?? []).length;
}

export const hostileString = () =>
  fc.oneof(fc.constantFrom(...hostileStrings), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), unstorableString());
const hostileValue = (): fc.Arbitrary<unknown> => fc.oneof(fc.constantFrom(...hostileValues), hostileString(), fc.double(), fc.integer(), fc.string().map((x) => Array.from({ length: 3000 }, () => x)));

export class SchemaArbitraries {
  constructor(
    private readonly doc: OpenApiDoc,
    /** Ids that exist for the seeded tenant, so some requests reach deep into services. */
    private readonly knownIds: () => string[],
  ) {}

  private resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; s?.$ref && i < 10; i++) s = this.doc.components?.schemas?.[String(s.$ref).split('/').pop()!] ?? {};
    return s ?? {};
  }

  uuid(): fc.Arbitrary<string> {
    return fc.oneof({ weight: 6, arbitrary: fc.constant(null).map(() => pick(this.knownIds())) }, { weight: 2, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileString() });
  }

  /** A value shaped like the schema; `hostility` is the chance, at each node, of a hostile value instead. */
  value(schema: Schema, hostility: number, depth = 0): fc.Arbitrary<unknown> {
    const shaped = this.shaped(this.resolve(schema), hostility, depth);
    if (hostility <= 0) return shaped;
    return fc.oneof({ weight: Math.round((1 - hostility) * 100), arbitrary: shaped }, { weight: Math.round(hostility * 100), arbitrary: hostileValue() });
  }

  private shaped(s: Schema, hostility: number, depth: number): fc.Arbitrary<unknown> {
    if (depth > 6) return fc.constant(null);
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((a: Schema) => this.value(a, hostility, depth + 1)));
    if (s.allOf?.length) return this.value(s.allOf.find((a: Schema) => a.$ref || a.type || a.enum) ?? s.allOf[0], hostility, depth + 1);
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.const !== undefined) return fc.constant(s.const);
    const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
    switch (type) {
      case 'string':
        return this.string(s);
      case 'integer':
      case 'number': {
        const min = s.minimum ?? -1000;
        const max = s.maximum ?? 100_000;
        const edges = [min, max, min - 1, max + 1].filter((n) => Number.isFinite(n));
        const inRange = type === 'integer' ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
        return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
      }
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const maxLength = Math.min(s.maxItems ?? 5, 5);
        const normal = fc.array(this.value(s.items ?? {}, hostility, depth + 1), { minLength: Math.min(s.minItems ?? 0, maxLength), maxLength });
        // Over the limit: one more than allowed, or far too many.
        // (one generated item repeated: generating thousands of distinct ones would cost more than sending them)
        const over = fc.tuple(fc.constantFrom((s.maxItems ?? 50) + 1, 5000), this.value(s.items ?? {}, 0, depth + 1)).map(([n, item]) => Array.from({ length: n }, () => item));
        return fc.oneof({ weight: 9, arbitrary: normal }, { weight: 1, arbitrary: over });
      }
      case 'object':
      default: {
        const props: Record<string, Schema> = s.properties ?? {};
        const required = new Set<string>(s.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) record[k] = this.value(v, hostility, depth + 1);
        const optional = Object.keys(props).filter((k) => !required.has(k));
        const base = fc.record(record, { requiredKeys: [...required] }).map((o) => o as Record<string, unknown>);
        // Sometimes drop a required field, sometimes add unknown ones.
        return fc.tuple(base, fc.boolean(), fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'authorityId', 'status', 'isAdmin'), fc.string({ maxLength: 10 })), hostileValue(), { maxKeys: 2 }), fc.nat())
          .map(([o, mutate, extra, n]) => {
            if (!mutate || hostility <= 0) return o;
            const copy: Record<string, unknown> = { ...o };
            const keys = Object.keys(copy);
            if (keys.length && n % 3 === 0) delete copy[keys[n % keys.length]!];
            else if (n % 3 === 1) Object.assign(copy, extra);
            else if (optional.length) delete copy[optional[n % optional.length]!];
            return copy;
          });
      }
    }
  }

  private string(s: Schema): fc.Arbitrary<string> {
    if (s.format === 'uuid') return this.uuid();
    const pattern = String(s.pattern ?? '');
    const maxLength = s.maxLength ?? 100;
    if (pattern.includes('\\d{4}-\\d{2}-\\d{2}')) {
      return fc.oneof(
        fc.date({ min: new Date('2024-01-01'), max: new Date('2029-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
        fc.constantFrom('2026-02-29', '2028-02-29', '2026-03-29', '2026-10-25', '1999-01-01', '2100-01-01'),
      );
    }
    if (pattern.includes(':[0-5]')) return fc.oneof(fc.constantFrom('00:00', '23:59', '17:00', '01:30', '10:00'), fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`));
    if (s.example && /^FREQ=/.test(String(s.example))) {
      return fc.constantFrom('FREQ=DAILY', 'FREQ=WEEKLY;BYDAY=FR,SA', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO', 'FREQ=MONTHLY;BYMONTHDAY=1', 'FREQ=DAILY;COUNT=3', 'FREQ=YEARLY;BYMONTH=8');
    }
    if (s.format === 'email') return fc.emailAddress();
    const plain = fc.string({ minLength: Math.max(1, s.minLength ?? 0), maxLength: Math.min(maxLength, 40) });
    return fc.oneof(
      { weight: 6, arbitrary: plain },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(Math.max(0, maxLength)), 'x'.repeat(maxLength + 1), 'x'.repeat(Math.max(0, (s.minLength ?? 0) - 1))) },
      { weight: 1, arbitrary: unstorableString(plain) },
    );
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
function pick<T>(xs: T[]): T {
  return xs[Math.floor(Math.random() * xs.length)]!;
}

export interface Credentials {
  tokens: string[];
  badTokens: string[];
}

/** One arbitrary request for one operation of the document. */
export function requestArbitrary(doc: OpenApiDoc, gen: SchemaArbitraries, method: string, path: string, op: Operation, creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const hostility = fc.constantFrom(0, 0, 0.05, 0.2, 0.6);
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  return hostility.chain((h) =>
    fc.record({
      pathValues: fc.tuple(...params.filter((p) => p.in === 'path').map((p) => (h > 0.1 ? fc.oneof(gen.value(p.schema ?? {}, 0), hostileString()) : gen.value(p.schema ?? {}, 0)))).map(
        (vs) => vs as unknown[],
      ),
      query: fc.tuple(
        ...params
          .filter((p) => p.in === 'query')
          .map((p) => fc.tuple(fc.constant(p.name), fc.oneof({ weight: p.required ? 0 : 1, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: gen.value(p.schema ?? {}, h) }))),
      ),
      extraQuery: fc.option(fc.tuple(fc.constantFrom('limit', 'cursor', 'from', 'zzz', 'authorityId', '__proto__'), hostileString()), { freq: 6 }),
      auth: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...creds.tokens).map((t) => `Bearer ${t}`) },
        { weight: 1, arbitrary: fc.constantFrom(...creds.badTokens).map((t) => `Bearer ${t}`) },
        { weight: 1, arbitrary: fc.constantFrom('', 'Bearer', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(5000)}`, 'bearer  ', 'Bearer a.b.c') },
      ),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('', ' ', 'x'.repeat(201), 'bad key!', 'ключ', '../x', 'same-key-1', 'same-key-2'), fc.string({ maxLength: 20 })), { freq: 2 }),
      body: bodySchema ? gen.value(bodySchema, h) : fc.constant(undefined),
      bodyMode: fc.oneof({ weight: 40, arbitrary: fc.constant('json') }, { weight: 2, arbitrary: fc.constantFrom('broken', 'wrongType', 'none') }, { weight: 1, arbitrary: fc.constant('huge') }),
    }).map(({ pathValues, query, extraQuery, auth, idempotencyKey, body, bodyMode }) => {
      let i = 0;
      const url = path.replace(/\{[^}]+\}/g, () => encodeURIComponent(wellFormed(String(pathValues[i++] ?? ''))));
      const qs = new URLSearchParams();
      for (const [name, value] of query as [string, unknown][]) if (value !== undefined) qs.append(name, typeof value === 'string' ? value : JSON.stringify(value));
      if (extraQuery) qs.append(extraQuery[0], extraQuery[1]);
      const headers: Record<string, string> = {};
      if (auth) headers.Authorization = auth;
      if (idempotencyKey !== null && method === 'post') headers['Idempotency-Key'] = sanitiseHeader(idempotencyKey);
      let text: string | undefined;
      if (method !== 'get' && method !== 'delete') {
        if (bodyMode === 'broken') text = '{"a": [1, 2,';
        else if (bodyMode === 'huge') text = JSON.stringify({ notes: HUGE });
        else if (bodyMode === 'wrongType') text = '<xml>not json</xml>';
        else if (bodyMode !== 'none' && (body !== undefined || !bodySchema)) text = JSON.stringify(body ?? { unexpected: true });
        if (text !== undefined) headers['Content-Type'] = bodyMode === 'wrongType' ? 'text/xml' : 'application/json';
      }
      return { method: method.toUpperCase(), path: qs.toString() ? `${url}?${qs}` : url, headers, body: text, operation: `${method.toUpperCase()} ${path}` };
    }),
  );
}

/** Lone surrogates cannot be percent-encoded; a client could not send them either. */
const wellFormed = (v: string) => Buffer.from(v, 'utf8').toString('utf8');

/** fetch refuses header values outside Latin-1 and with CR/LF; keep the hostility, drop what cannot be sent. */
function sanitiseHeader(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, '?');
}
