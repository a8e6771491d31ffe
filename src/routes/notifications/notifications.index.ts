import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, jsonBody, jsonContent } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { NotificationQuery, NotificationSchema, PreferencesSchema, UpdatePreferencesBody } from '../../schemas/notifications.js';
import * as preferences from '../../services/notification-preferences.js';

const tags = ['Notifications'];
const security = bearerSecurity;

export const getPreferencesRoute = createRoute({
  method: 'get', path: '/v1/notification-preferences', tags, security,
  summary: 'How you are told: a channel per kind of message, and quiet hours for text messages',
  responses: { 200: jsonContent(PreferencesSchema, 'Your preferences'), ...errorResponses },
});
export const updatePreferencesRoute = createRoute({
  method: 'patch', path: '/v1/notification-preferences', tags, security,
  summary: 'Choose email, SMS, both or none per kind (required notices cannot be turned off); set or clear quiet hours',
  request: { body: jsonBody(UpdatePreferencesBody) },
  responses: { 200: jsonContent(PreferencesSchema, 'Your preferences'), ...errorResponses },
});
export const listNotificationsRoute = createRoute({
  method: 'get', path: '/v1/notifications', tags, security,
  summary: 'Messages sent to you, newest first, with each channel’s delivery; coordinators see every message of their authority',
  request: { query: NotificationQuery },
  responses: { 200: jsonContent(page(NotificationSchema), 'Messages'), ...errorResponses },
});

export const notificationsRouter = createRouter()
  .openapi(getPreferencesRoute, async (c) => c.json(await preferences.getPreferences(c.get('principal')), 200))
  .openapi(updatePreferencesRoute, async (c) => c.json(await preferences.updatePreferences(c.get('principal'), c.req.valid('json')), 200))
  .openapi(listNotificationsRoute, async (c) => c.json(await preferences.listNotifications(c.get('principal'), c.req.valid('query')), 200));
