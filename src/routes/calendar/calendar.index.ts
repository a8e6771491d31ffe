import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonContent } from '../../http/openapi.js';
import { ApiError } from '../../errors.js';
import { Text } from '../../schemas/common.js';
import * as calendar from '../../services/calendar.js';

const tags = ['Calendar'];
const icsContent = { 'text/calendar': { schema: z.string() } };
const ICS_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, max-age=300' };

export const familyCalendarRoute = createRoute({
  method: 'get', path: '/v1/families/{id}/calendar.ics', tags, security: bearerSecurity,
  summary: 'The family’s confirmed breaks as iCalendar (RFC 5545), times in Europe/London',
  request: { params: IdParam },
  responses: { 200: { description: 'iCalendar feed', content: icsContent }, ...errorResponses },
});
export const createLinkRoute = createRoute({
  method: 'post', path: '/v1/families/{id}/calendar-link', tags, security: bearerSecurity,
  summary: 'A secret subscription URL for a phone calendar (replaces any earlier one)',
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 201: jsonContent(z.object({ url: z.string(), webcal: z.string() }), 'The new link'), ...errorResponses },
});
export const revokeLinkRoute = createRoute({
  method: 'delete', path: '/v1/families/{id}/calendar-link', tags, security: bearerSecurity,
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ revoked: z.boolean() }), 'Revoked'), ...errorResponses },
});

/** Authenticated part (under /v1). */
export const calendarRouter = createRouter()
  .openapi(familyCalendarRoute, async (c) => c.body(await calendar.calendarForPrincipal(c.get('principal'), c.req.valid('param').id), 200, ICS_HEADERS) as never)
  .openapi(createLinkRoute, async (c) => c.json(await calendar.createCalendarLink(c.get('principal'), c.req.valid('param').id, new URL(c.req.url).origin), 201))
  .openapi(revokeLinkRoute, async (c) => c.json(await calendar.revokeCalendarLink(c.get('principal'), c.req.valid('param').id), 200));

export const subscribedCalendarRoute = createRoute({
  method: 'get', path: '/calendar/{file}', tags,
  summary: 'Subscription feed by secret URL (no token: phones cannot send one); 404 once revoked',
  request: { params: z.object({ file: Text().max(120).openapi({ param: { name: 'file', in: 'path' } }) }) },
  responses: { 200: { description: 'iCalendar feed', content: icsContent }, 404: errorResponses[404] },
});

/** Public part: the secret in the URL is the credential. */
export const publicCalendarRouter = createRouter().openapi(subscribedCalendarRoute, async (c) => {
  const secret = c.req.valid('param').file.replace(/\.ics$/, '');
  const body = await calendar.calendarForSecret(secret);
  if (!body) throw new ApiError('NOT_FOUND', 'This calendar link is not valid (it may have been replaced or revoked)');
  return c.body(body, 200, ICS_HEADERS) as never;
});
