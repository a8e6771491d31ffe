/**
 * Validating served documents against the Open Referral HSDS 3.1 JSON schemas
 * kept in ../shared/standards/hsds-3.1/ (compiled/: service_list.json for list
 * entries, service_with_definitions.json for fully nested services). HSDS's
 * schemas allow any extra property, so a misspelt field ("organisation") would
 * pass silently; `strict` also closes every object schema to the properties it
 * declares, which catches that.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** ../shared beside the checkout; a git worktree sits a level deeper, so the nearest ancestor's shared/ is used. */
function hsdsDir(): string {
  for (let up = '../../../'; up.length < 40; up += '../') {
    const dir = fileURLToPath(new URL(`${up}shared/standards/hsds-3.1/`, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new Error('The HSDS 3.1 schemas (shared/standards/hsds-3.1/ beside the checkout) are missing');
}
const HSDS_DIR = hsdsDir();
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) out[k] = k === 'datapackage_metadata' || k === 'constraints' ? v : closed(v);
  if (out.properties && typeof out.properties === 'object') out.additionalProperties = false;
  return out;
}

function compile(file: string, strict: boolean): ValidateFunction {
  // The schemas carry tabular-data keywords (name, path, constraints, core, example…) Ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(`${HSDS_DIR}${file}`, 'utf8'));
  return ajv.compile((strict ? closed(schema) : schema) as Json);
}

const cache = new Map<string, ValidateFunction>();
const validator = (file: string, strict: boolean) => {
  const key = `${file}:${strict}`;
  if (!cache.has(key)) cache.set(key, compile(file, strict));
  return cache.get(key)!;
};

export const HSDS_SCHEMAS = { serviceList: 'compiled/service_list.json', service: 'compiled/service_with_definitions.json' } as const;

/** Problems with `doc` against an HSDS schema, as readable lines (empty when it validates). */
export function hsdsProblems(file: string, doc: unknown, options: { strict?: boolean } = {}): string[] {
  const strict = options.strict ?? true;
  const validate = validator(file, strict);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
}

/** The Page fields of HSDS's openapi.json (components.schemas.Page). */
export function pageProblems(page: Json): string[] {
  const openapi = JSON.parse(readFileSync(`${HSDS_DIR}openapi.json`, 'utf8')) as { components: { schemas: { Page: Json } } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  const schema = { ...openapi.components.schemas.Page, required: Object.keys(openapi.components.schemas.Page.properties as Json), properties: { ...(openapi.components.schemas.Page.properties as Json), contents: { type: 'array' } } };
  const validate = ajv.compile(schema);
  return validate(page) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
