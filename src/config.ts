/**
 * Configuration comes only from environment variables, validated once at start
 * (DESIGN.md, "Conventions"). A wrong value stops the process with a message
 * naming the variable, instead of failing later somewhere less obvious.
 */
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const ConfigSchema = z.object({
  DATABASE_URL: url(['postgresql:', 'postgres:']).default('postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks'),
  /** Connections per process (API or worker), shared by Prisma and the hot booking path. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * How long an API process reuses a bearer token it has just looked up (0: never). Revocations still
   * hold at once: every change to a token or membership is announced at commit (LISTEN/NOTIFY).
   */
  PRINCIPAL_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Prefix for BullMQ keys, so tests and several deployments can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i, 'letters, digits, _ and - only').default('shortbreaks'),
  /** How far ahead slots are materialised. */
  SLOT_HORIZON_DAYS: z.coerce.number().int().min(7).max(800).default(365),
  /** How long a family has to accept a waitlist offer. */
  OFFER_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 14).default(48),
  /**
   * How long a worker's lock on a job lasts (renewed at half of it while the job runs). A killed
   * worker's job is taken again at most JOB_LOCK_MS + JOB_STALLED_CHECK_MS after the kill: 30 s by default.
   */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
  /** How often each worker looks for jobs whose lock expired (a killed worker's) and returns them to the queue. */
  JOB_STALLED_CHECK_MS: z.coerce.number().int().min(250).max(600_000).default(10_000),
  /**
   * How many times one job may be taken back from a dead worker before it fails. Jobs are idempotent, so
   * a re-run is safe; the bound only stops a job that kills every worker it reaches from looping for ever.
   */
  JOB_MAX_STALLED: z.coerce.number().int().min(1).max(100).default(5),
  /** How often a worker looks in PostgreSQL for unfinished work whose job Redis lost (src/jobs/reconcile.ts). */
  RECONCILE_EVERY_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * Work younger than this is left to its queued job. Re-pushing a job Redis still has is a no-op
   * (deterministic ids), so this only bounds the reconciler's effort; a lost job is re-pushed within
   * RECONCILE_STALE_MS + RECONCILE_EVERY_MS of its work being recorded: 90 s by default.
   */
  RECONCILE_STALE_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /** Failed authentications per client address per minute before 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  /**
   * Sign-in link requests per client address per 15 minutes. Beyond it, that address gets a link
   * sent only for an account nobody has asked for in the window, so a flood sends no more mail
   * and people sharing the address (behind one proxy) can still sign in.
   */
  SIGN_IN_LINK_REQUESTS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(10),
  /**
   * Behind reverse proxies: how many of them append to X-Forwarded-For ('true' is one). The
   * client address is the entry that many hops from the right: entries further left were
   * written by the client itself and could be anything.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, "'true', 'false' or a number of proxies")
    .default('false')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
  /** 'development' and 'test' get working defaults for secrets; anything else must set them. */
  NODE_ENV: z.string().default('development'),
  /**
   * Keys the CSRF tokens of the web forms. Every API replica must share it: a form
   * rendered by one is posted to another. Required outside development and test.
   */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** How email goes: 'log' writes it to the log; 'smtp' needs SMTP_URL; 'govuk-notify' needs the GOVUK_NOTIFY_* settings. */
  NOTIFY_TRANSPORT: z.enum(['log', 'smtp', 'govuk-notify']).default('log'),
  /** How text messages go: 'log', 'govuk-notify', or 'none' (no SMS is sent; SMS deliveries are skipped). */
  SMS_TRANSPORT: z.enum(['log', 'govuk-notify', 'none']).default('log'),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  NOTIFY_FROM: z.string().default('short-breaks@localhost'),
  // Retention per record type (src/services/retention.ts; defaults in the README).
  /** A family's personal data is erased this many years after its last break or award ended (Limitation Act 1980: six years). */
  RETENTION_FAMILY_YEARS: z.coerce.number().int().min(1).max(100).default(6),
  /** Who read a passport, and when. */
  RETENTION_PASSPORT_READS_DAYS: z.coerce.number().int().min(30).max(36_500).default(730),
  /** Coordinators' emergency overrides of the family's choice, after they end. */
  RETENTION_EMERGENCY_ACCESS_DAYS: z.coerce.number().int().min(30).max(36_500).default(2190),
  /** Delivered or failed notifications. */
  RETENTION_NOTIFICATIONS_DAYS: z.coerce.number().int().min(7).max(36_500).default(365),
  /** Subject-access exports, once produced (a new one can be asked for at any time). */
  RETENTION_EXPORTS_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Families with at most this many records get their subject-access export at once; larger ones are built by a worker job. */
  EXPORT_INLINE_MAX_RECORDS: z.coerce.number().int().min(0).max(100_000).default(500),
  /** A GOV.UK Notify API key (`name-serviceId-secret`, as the Notify admin shows it). */
  GOVUK_NOTIFY_API_KEY: z.string().regex(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GOV.UK Notify API key (name-serviceId-secret)').optional(),
  GOVUK_NOTIFY_BASE_URL: url(['https:', 'http:']).default('https://api.notifications.service.gov.uk'),
  /** The generic templates (see the README): email `((subject))` / `((body))` + `((link))`, SMS `((text_message))`. */
  GOVUK_NOTIFY_EMAIL_TEMPLATE_ID: z.string().uuid().optional(),
  GOVUK_NOTIFY_SMS_TEMPLATE_ID: z.string().uuid().optional(),
  /** Optional templates of their own per kind of message: JSON `{"BREAK_REMINDER":{"email":"<uuid>","sms":"<uuid>"}}`. */
  GOVUK_NOTIFY_TEMPLATES: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      const parsed = z.record(z.string(), z.object({ email: z.string().uuid().optional(), sms: z.string().uuid().optional() }).strict()).safeParse((() => { try { return JSON.parse(v); } catch { return null; } })());
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'must be JSON {"KIND":{"email":"<template uuid>","sms":"<template uuid>"}}' });
        return z.NEVER;
      }
      return parsed.data;
    }),
  /**
   * Staff sign-in with OpenID Connect (authorization code + PKCE): the identity provider's issuer URL
   * (its /.well-known/openid-configuration is read from it) and this service's client there. All three
   * or none; with none, staff sign in with an emailed link like families. The redirect URL to register
   * is PUBLIC_BASE_URL + /sign-in/oidc/callback.
   */
  OIDC_ISSUER: url(['https:', 'http:']).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  /** Where people open the pages: links in messages and calendar subscriptions start with it. */
  PUBLIC_BASE_URL: url(['https:', 'http:']).optional(),
  /** Reminders before each break: `<days>d@HH:MM` London time, comma-separated (default: two days before at 18:00 and the morning of the break). */
  BREAK_REMINDERS: z
    .string()
    .default('2d@18:00,0d@07:30')
    .refine((v) => v.split(',').every((p) => /^\s*\d{1,2}d@([01]\d|2[0-3]):[0-5]\d\s*$/.test(p)) || v.trim() === '', 'must be <days>d@HH:MM, comma-separated'),
  /** London time providers are sent the next day's arrivals. */
  ARRIVALS_DIGEST_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default('16:00'),
  /** How often the workers look for reminders and digests that are due (a BullMQ repeatable job). */
  REMINDER_SCAN_MS: z.coerce.number().int().min(500).max(3600_000).default(60_000),
  /** A delivery claimed this long ago by a worker that died is looked at again (checked with Notify before resending). */
  DELIVERY_LOCK_MS: z.coerce.number().int().min(1000).max(3600_000).default(120_000),
});

const DEVELOPMENT_ENVS = ['development', 'test'];
const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-not-for-production';

export type Config = z.infer<typeof ConfigSchema> & { SESSION_SECRET: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Treat empty strings as unset so `FOO= npm start` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const missing: string[] = [];
  const d = parsed.data;
  if (d.NOTIFY_TRANSPORT === 'smtp' && !d.SMTP_URL) missing.push('SMTP_URL: required when NOTIFY_TRANSPORT=smtp');
  if (d.NOTIFY_TRANSPORT === 'govuk-notify' || d.SMS_TRANSPORT === 'govuk-notify') {
    if (!d.GOVUK_NOTIFY_API_KEY) missing.push('GOVUK_NOTIFY_API_KEY: required when a transport is govuk-notify');
  }
  if (d.NOTIFY_TRANSPORT === 'govuk-notify' && !d.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID) missing.push('GOVUK_NOTIFY_EMAIL_TEMPLATE_ID: required when NOTIFY_TRANSPORT=govuk-notify');
  if (d.SMS_TRANSPORT === 'govuk-notify' && !d.GOVUK_NOTIFY_SMS_TEMPLATE_ID) missing.push('GOVUK_NOTIFY_SMS_TEMPLATE_ID: required when SMS_TRANSPORT=govuk-notify');
  const oidc = [d.OIDC_ISSUER, d.OIDC_CLIENT_ID, d.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidc > 0 && oidc < 3) {
    for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) if (!d[name]) missing.push(`${name}: required when any OIDC_ setting is set`);
  }
  if (missing.length) throw new ConfigError(`Invalid configuration:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  const developing = DEVELOPMENT_ENVS.includes(parsed.data.NODE_ENV);
  if (!developing && !parsed.data.SESSION_SECRET) {
    throw new ConfigError(`Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=${parsed.data.NODE_ENV} (32 or more random characters, the same on every replica)`);
  }
  // A fixed, public value on a developer's machine: every local process agrees, and it protects nothing worth protecting.
  return { ...parsed.data, SESSION_SECRET: parsed.data.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET };
}

let cached: Config | undefined;
/** The process-wide configuration, read on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
