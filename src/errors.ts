/**
 * The one error type services, domain callers and routes throw: a stable code
 * from the table below, mapped to its HTTP status and title. It lives beside the
 * domain rather than in http/ (after unkey's apps/api/src/pkg/errors), so a
 * service never imports the HTTP layer; src/http/problem.ts renders it as
 * RFC 9457 problem+json (STYLE.md rule 3).
 */
export const PROBLEM_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'Your role may not do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'This resource does not answer that method' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Send the body as application/json' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  BOOKING_REFUSED: { status: 422, title: 'The booking cannot be made' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be carried out' },
  UNACCEPTABLE_TEXT: { status: 422, title: 'The request contains characters that cannot be accepted' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  RETRYABLE: { status: 503, title: 'Temporarily unable to complete the request; retry' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'A service this request needs is unavailable' },
  INTERNAL: { status: 500, title: 'Something went wrong on our side' },
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> & { errors?: FieldProblem[] } = {},
  ) {
    super(detail);
  }

  get status(): number {
    return PROBLEM_CODES[this.code].status;
  }
}

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} was not found`);
export const forbidden = (detail: string) => new ApiError('FORBIDDEN', detail);
export const conflict = (detail: string, extensions?: Record<string, unknown>) =>
  new ApiError('CONFLICT', detail, extensions);
export const unprocessable = (detail: string, extensions?: Record<string, unknown>) =>
  new ApiError('UNPROCESSABLE', detail, extensions);
export const invalid = (errors: FieldProblem[], detail = 'Some fields are not valid') =>
  new ApiError('VALIDATION_FAILED', detail, { errors });
