/**
 * The Local Offer as open data: Open Referral UK / HSDS 3.1 `/services` and
 * `/services/{id}` (paged as HSDS's openapi.json says: page, per_page, and the
 * Page fields). Public — no token — and cacheable: a strong ETag of the body,
 * `Cache-Control: public`, and 304 for a matching If-None-Match.
 */
import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../../http/app.js';
import { errorResponses } from '../../http/openapi.js';
import * as feed from '../../services/openreferral.js';
import { HsdsService, HsdsServicePage } from '../../schemas/openreferral.js';

const tags = ['Open Referral'];
/** Directories poll; five minutes keeps free places fresh enough while sparing the database. */
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

const AuthorityQuery = z.object({
  authority: z.string().trim().min(1).max(40).optional().openapi({ description: 'An authority’s code: its Local Offer (places open to all plus those block-contracted to it). Without it, places open to all.' }),
});
const ListQuery = AuthorityQuery.extend({
  search: z.string().trim().min(1).max(100).optional().openapi({ description: 'Words in the service’s name' }),
  page: z.coerce.number().int().min(1).max(100_000).default(1).openapi({ description: 'Page number (1-based)' }),
  per_page: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Services per page (at most 200)' }),
  full: z.enum(['true', 'false']).optional().openapi({ description: 'true: fully nested services (schedules, locations, capacities, cost options)' }),
});
const hsdsContent = (description: string, schema: typeof HsdsService | typeof HsdsServicePage) => ({ description, content: { 'application/json': { schema } } });
const notModified = { 304: { description: 'Not modified since the ETag sent in If-None-Match' } };

export const listServicesRoute = createRoute({
  method: 'get', path: '/openreferral/services', tags,
  summary: 'HSDS 3.1 paged list of short-break services (Open Referral UK); no token needed',
  request: { query: ListQuery },
  responses: { 200: hsdsContent('An HSDS Page whose contents are services', HsdsServicePage), ...notModified, 400: errorResponses[400], 404: errorResponses[404] },
});
export const getServiceRoute = createRoute({
  method: 'get', path: '/openreferral/services/{id}', tags,
  summary: 'One fully nested HSDS 3.1 service: organisation, location, schedules, capacity, eligibility by need, cost options',
  request: { params: z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) }), query: AuthorityQuery },
  responses: { 200: hsdsContent('An HSDS service', HsdsService), ...notModified, 400: errorResponses[400], 404: errorResponses[404] },
});

/** Serve a document with a strong ETag; a client that already holds it gets 304 and no body. */
function cacheable(c: Context, document: unknown): Response {
  const body = JSON.stringify(document);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  const headers = { ETag: etag, 'Cache-Control': CACHE_CONTROL, 'Access-Control-Allow-Origin': '*', Vary: 'Accept-Encoding' };
  const sent = c.req.header('if-none-match');
  if (sent && sent.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
}

export const openReferralRouter = createRouter()
  .openapi(listServicesRoute, async (c) => {
    const q = c.req.valid('query');
    return cacheable(c, await feed.listServices({ authority: q.authority, search: q.search, page: q.page, perPage: q.per_page, full: q.full === 'true' })) as never;
  })
  .openapi(getServiceRoute, async (c) => cacheable(c, await feed.getService(c.req.valid('param').id, c.req.valid('query'))) as never);
