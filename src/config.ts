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
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Prefix for BullMQ keys, so tests and several deployments can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i, 'letters, digits, _ and - only').default('shortbreaks'),
  /** How far ahead slots are materialised. */
  SLOT_HORIZON_DAYS: z.coerce.number().int().min(7).max(800).default(365),
  /** How long a family has to accept a waitlist offer. */
  OFFER_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 14).default(48),
  /** How long a worker's lock on a job lasts; a killed worker's job is retried after this. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Failed authentications per client address per minute before 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Notifications: 'log' writes them to the log; 'smtp' needs SMTP_URL. */
  NOTIFY_TRANSPORT: z.enum(['log', 'smtp']).default('log'),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  NOTIFY_FROM: z.string().default('short-breaks@localhost'),
});

export type Config = z.infer<typeof ConfigSchema>;

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
  if (parsed.data.NOTIFY_TRANSPORT === 'smtp' && !parsed.data.SMTP_URL) {
    throw new ConfigError('Invalid configuration:\n  SMTP_URL: required when NOTIFY_TRANSPORT=smtp');
  }
  return parsed.data;
}

let cached: Config | undefined;
/** The process-wide configuration, read on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
