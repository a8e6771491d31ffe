/**
 * A local stand-in for the GOV.UK Notify API that the real client
 * (notifications-node-client) is pointed at. It checks every request the
 * way Notify documents it and answers as Notify does:
 *
 * - auth: `Authorization: Bearer <JWT>`, header {typ: JWT, alg: HS256},
 *   claims `iss` = the service id and `iat` within 30 seconds of now,
 *   signed with HMAC-SHA256 using the API key's secret (the key is
 *   `name-<service id>-<secret>`): 401/403 AuthError otherwise;
 * - POST /v2/notifications/email {template_id, email_address,
 *   personalisation?, reference?, email_reply_to_id?, one_click_unsubscribe_url?}
 *   and POST /v2/notifications/sms {template_id, phone_number,
 *   personalisation?, reference?, sms_sender_id?}: JSON only, no other
 *   properties, a template of that type, every ((placeholder)) of the
 *   template personalised, a UK mobile number or an email address —
 *   400 ValidationError / BadRequestError otherwise; 201 with the filled-in
 *   content;
 * - GET /v2/notifications?template_type=&reference=: the notifications sent
 *   with that reference.
 *
 * Errors are Notify's envelope: {status_code, errors: [{error, message}]}.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { holdGate } from './workers.js';
import type { AddressInfo } from 'node:net';

export interface NotifyTemplate {
  type: 'email' | 'sms';
  subject?: string;
  body: string;
}

export interface AcceptedNotification {
  id: string;
  type: 'email' | 'sms';
  templateId: string;
  to: string;
  personalisation: Record<string, string>;
  reference: string | null;
  subject: string | null;
  body: string;
  jwt: { iss: string; iat: number };
}

export interface NotifyEndpoint {
  baseUrl: string;
  apiKey: string;
  serviceId: string;
  accepted: AcceptedNotification[];
  /** Every request refused, with the reason Notify would give. */
  refused: { path: string; status: number; error: string; message: string }[];
  posts: number;
  addTemplate(t: NotifyTemplate): string;
  failNext(status: number, error: string, message: string): void;
  /** Accept the next POST but hold its answer until released (the sender may be killed meanwhile). */
  hold(): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

const b64url = (b: Buffer) => b.toString('base64url');
const PLACEHOLDER = /\(\(([^)]+)\)\)/g;
const placeholders = (t: NotifyTemplate) => [...new Set([...`${t.subject ?? ''} ${t.body}`.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim()))];
const fill = (text: string, p: Record<string, string>) => text.replace(PLACEHOLDER, (_, k: string) => String(p[k.trim()]));

/** Notify accepts UK mobiles as 07xxx xxxxxx or +44 7xxx xxxxxx, spaces allowed. */
const isUkMobile = (n: string) => /^(\+44\s?7|0044\s?7|07)(\s?\d){9}$/.test(n.trim());
const isEmail = (e: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e);

export async function startNotifyEndpoint(): Promise<NotifyEndpoint> {
  const serviceId = randomUUID();
  const secret = randomUUID();
  const apiKey = `shortbreaks_test-${serviceId}-${secret}`;
  const templates = new Map<string, NotifyTemplate>();
  const accepted: AcceptedNotification[] = [];
  const refused: NotifyEndpoint['refused'] = [];
  let failure: { status: number; error: string; message: string } | null = null;
  let holding: { arrived: () => void; gate: Promise<void> } | null = null;
  const state = { posts: 0 };

  const refuse = (res: ServerResponse, path: string, status: number, error: string, message: string) => {
    refused.push({ path, status, error, message });
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status_code: status, errors: [{ error, message }] }));
  };

  function authenticate(req: IncomingMessage): { ok: true; claims: { iss: string; iat: number } } | { ok: false; status: number; message: string } {
    const header = req.headers.authorization;
    if (!header) return { ok: false, status: 401, message: 'Unauthorized: authentication token must be provided' };
    if (!header.startsWith('Bearer ')) return { ok: false, status: 401, message: 'Unauthorized: authentication bearer scheme must be used' };
    const parts = header.slice(7).split('.');
    if (parts.length !== 3) return { ok: false, status: 403, message: 'Invalid token: signature' };
    const [h, p, sig] = parts as [string, string, string];
    let head: { alg?: string; typ?: string };
    let claims: { iss?: unknown; iat?: unknown };
    try {
      head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, status: 403, message: 'Invalid token: signature' };
    }
    if (head.alg !== 'HS256' || head.typ !== 'JWT') return { ok: false, status: 403, message: 'Invalid token: algorithm used is not HS256' };
    if (claims.iss !== serviceId) return { ok: false, status: 403, message: 'Invalid token: service not found' };
    if (typeof claims.iat !== 'number' || Math.abs(claims.iat - Date.now() / 1000) > 30) return { ok: false, status: 403, message: 'Error: Your system clock must be accurate to within 30 seconds' };
    const expected = Buffer.from(b64url(createHmac('sha256', secret).update(`${h}.${p}`).digest()));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, status: 403, message: 'Invalid token: signature, api token not found' };
    return { ok: true, claims: { iss: claims.iss as string, iat: claims.iat } };
  }

  const ALLOWED = {
    email: ['template_id', 'email_address', 'personalisation', 'reference', 'email_reply_to_id', 'one_click_unsubscribe_url'],
    sms: ['template_id', 'phone_number', 'personalisation', 'reference', 'sms_sender_id'],
  } as const;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://notify.local');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = authenticate(req);
    if (!auth.ok) return refuse(res, url.pathname, auth.status, 'AuthError', auth.message);

    if (req.method === 'GET' && url.pathname === '/v2/notifications') {
      const type = url.searchParams.get('template_type');
      const reference = url.searchParams.get('reference');
      const list = accepted.filter((n) => (!type || n.type === type) && (!reference || n.reference === reference));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ notifications: list.map((n) => ({ id: n.id, reference: n.reference, type: n.type, status: 'delivered', email_address: n.type === 'email' ? n.to : null, phone_number: n.type === 'sms' ? n.to : null, template: { id: n.templateId, version: 1 }, body: n.body, subject: n.subject })), links: { current: url.href } }));
    }

    const m = /^\/v2\/notifications\/(email|sms)$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) return refuse(res, url.pathname, 404, 'NotFound', 'The requested URL was not found on the server.');
    state.posts++;
    const type = m[1] as 'email' | 'sms';
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return refuse(res, url.pathname, 400, 'BadRequestError', 'Invalid JSON supplied in POST data');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return refuse(res, url.pathname, 400, 'BadRequestError', 'Invalid JSON supplied in POST data');
    }
    const extra = Object.keys(body).filter((k) => !(ALLOWED[type] as readonly string[]).includes(k));
    if (extra.length) return refuse(res, url.pathname, 400, 'ValidationError', `Additional properties are not allowed (${extra.join(', ')} was unexpected)`);
    const to = type === 'email' ? body.email_address : body.phone_number;
    if (typeof body.template_id !== 'string') return refuse(res, url.pathname, 400, 'ValidationError', 'template_id is a required property');
    if (typeof to !== 'string') return refuse(res, url.pathname, 400, 'ValidationError', `${type === 'email' ? 'email_address' : 'phone_number'} is a required property`);
    if (type === 'sms' && !isUkMobile(to)) return refuse(res, url.pathname, 400, 'ValidationError', 'phone_number Not a UK mobile number');
    if (type === 'email' && !isEmail(to)) return refuse(res, url.pathname, 400, 'ValidationError', 'email_address Not a valid email address');
    if (body.reference !== undefined && typeof body.reference !== 'string') return refuse(res, url.pathname, 400, 'ValidationError', 'reference is not of type string');
    const personalisation = (body.personalisation ?? {}) as Record<string, string>;
    if (typeof personalisation !== 'object' || Array.isArray(personalisation)) return refuse(res, url.pathname, 400, 'ValidationError', 'personalisation is not of type object');
    const template = templates.get(body.template_id);
    if (!template) return refuse(res, url.pathname, 400, 'BadRequestError', 'Template not found');
    if (template.type !== type) return refuse(res, url.pathname, 400, 'BadRequestError', `${template.type} template is not suitable for ${type} notification`);
    const missing = placeholders(template).filter((k) => personalisation[k] === undefined || personalisation[k] === null);
    if (missing.length) return refuse(res, url.pathname, 400, 'BadRequestError', `Missing personalisation: ${missing.join(', ')}`);
    if (failure) {
      const f = failure;
      failure = null;
      return refuse(res, url.pathname, f.status, f.error, f.message);
    }
    const n: AcceptedNotification = {
      id: randomUUID(),
      type,
      templateId: body.template_id,
      to,
      personalisation,
      reference: (body.reference as string | undefined) ?? null,
      subject: template.subject ? fill(template.subject, personalisation) : null,
      body: fill(template.body, personalisation),
      jwt: auth.claims,
    };
    accepted.push(n);
    if (holding) {
      const h = holding;
      holding = null;
      h.arrived();
      await h.gate;
    }
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        id: n.id,
        reference: n.reference,
        content: type === 'email' ? { body: n.body, subject: n.subject, from_email: 'short.breaks@notifications.service.gov.uk' } : { body: n.body, from_number: 'SHORTBREAK' },
        uri: `${baseUrl}/v2/notifications/${n.id}`,
        template: { id: n.templateId, version: 1, uri: `${baseUrl}/v2/template/${n.templateId}/version/1` },
      }),
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status_code: 500, errors: [{ error: 'Exception', message: String(err) }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    apiKey,
    serviceId,
    accepted,
    refused,
    get posts() {
      return state.posts;
    },
    addTemplate(t) {
      const id = randomUUID();
      templates.set(id, t);
      return id;
    },
    failNext(status, error, message) {
      failure = { status, error, message };
    },
    hold() {
      const h = holdGate();
      holding = h.server;
      return h.test;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The generic templates the README tells a council to create in Notify. */
export const GENERIC_EMAIL_TEMPLATE: NotifyTemplate = { type: 'email', subject: '((subject))', body: '((body))\n\n((link))' };
export const GENERIC_SMS_TEMPLATE: NotifyTemplate = { type: 'sms', body: '((text_message))' };
