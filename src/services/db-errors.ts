/**
 * Database errors that mean something to a client. Constraint names come from
 * the hand-written part of the initial migration.
 */
import { ApiError } from '../errors.js';

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK = '40P01';
const CHECK_VIOLATION = '23514';
const EXCLUSION_VIOLATION = '23P01';
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** lock_timeout ran out (the booking path waits at most 10 s for a row another transaction holds). */
const LOCK_NOT_AVAILABLE = '55P03';

/** The PostgreSQL SQLSTATE behind an error from pg or from Prisma's pg adapter, if any. */
export function sqlState(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const o = e as Record<string, unknown>;
    const meta = o.meta as Record<string, unknown> | undefined;
    const driver = (meta?.driverAdapterError as { cause?: Record<string, unknown> } | undefined)?.cause;
    if (driver && typeof driver.originalCode === 'string') return driver.originalCode;
    // Prisma's own codes (P2002, …) look like SQLSTATEs; map the ones that stand for one.
    if (o.code === 'P2034') return SERIALIZATION_FAILURE;
    if (o.code === 'P2002') return UNIQUE_VIOLATION;
    if (o.code === 'P2003') return FOREIGN_KEY_VIOLATION;
    if (typeof o.code === 'string' && /^[0-9][0-9A-Z]{4}$/.test(o.code)) return o.code;
    e = o.cause;
  }
  return undefined;
}

export const isRetryable = (err: unknown): boolean => {
  const s = sqlState(err);
  return s === SERIALIZATION_FAILURE || s === DEADLOCK;
};
export const isCapacityViolation = (err: unknown) =>
  sqlState(err) === CHECK_VIOLATION && /slot_places_check/.test(String((err as Error)?.message) + JSON.stringify((err as { meta?: unknown }).meta ?? ''));
export const isOverlapViolation = (err: unknown) => sqlState(err) === EXCLUSION_VIOLATION;
export const isUniqueViolation = (err: unknown) => sqlState(err) === UNIQUE_VIOLATION;

function isConnectionError(err: unknown): boolean {
  // Class 08 (connection exception) and 57P01–57P03 (the server ended or refused the session:
  // pg_terminate_backend, a failover, a restart) — the work rolled back, a retry can succeed.
  const state = sqlState(err);
  if (state && (state.startsWith('08') || /^57P0[123]$/.test(state))) return true;
  const text = String((err as Error)?.message ?? '');
  return /ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT|DatabaseNotReachable|Can't reach database/i.test(text);
}

/** A client-meaningful error for a database failure, or undefined for a genuine bug. */
export function mapDatabaseError(err: unknown): ApiError | undefined {
  if (isRetryable(err)) return new ApiError('RETRYABLE', 'The request collided with another; retry it');
  if (sqlState(err) === LOCK_NOT_AVAILABLE) return new ApiError('RETRYABLE', 'The request waited too long for other work on the same records; retry it');
  if (isCapacityViolation(err)) return new ApiError('BOOKING_REFUSED', 'The slot has no free place', { reasons: [{ reason: 'SLOT_FULL' }] });
  if (isOverlapViolation(err)) return new ApiError('BOOKING_REFUSED', 'The child already has a booking at that time', { reasons: [{ reason: 'OVERLAPPING_BOOKING' }] });
  const state = sqlState(err);
  if (state === UNIQUE_VIOLATION) return new ApiError('CONFLICT', 'A record with these details already exists');
  if (state === FOREIGN_KEY_VIOLATION) return new ApiError('UNPROCESSABLE', 'The request refers to a record that does not exist');
  if ((err as { code?: string })?.code === 'P2025') return new ApiError('NOT_FOUND', 'The record was not found');
  if (isConnectionError(err)) return new ApiError('SERVICE_UNAVAILABLE', 'The database is unreachable; retry shortly');
  return undefined;
}
