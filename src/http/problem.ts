/**
 * One error shape for the whole API: RFC 9457 problem+json with a stable `type`
 * and `code`, produced in one place (STYLE.md rule 3, after unkey's apps/api).
 */
export const PROBLEM_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'Your role may not do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Send the body as application/json' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  BOOKING_REFUSED: { status: 422, title: 'The booking cannot be made' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be carried out' },
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

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://shortbreaks.example/problems/';

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

  toProblem(instance?: string): Problem {
    const { status, title } = PROBLEM_CODES[this.code];
    return {
      type: PROBLEM_TYPE_BASE + this.code.toLowerCase().replaceAll('_', '-'),
      title,
      status,
      detail: this.detail,
      code: this.code,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
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
