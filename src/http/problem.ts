/**
 * How an ApiError (src/errors.ts) leaves the API: RFC 9457 problem+json with a
 * stable `type` and `code`, produced in this one place (STYLE.md rule 3).
 */
import { PROBLEM_CODES, type ApiError, type FieldProblem, type ProblemCode } from '../errors.js';

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

export function toProblem(error: ApiError, instance?: string): Problem {
  const { status, title } = PROBLEM_CODES[error.code];
  return {
    type: PROBLEM_TYPE_BASE + error.code.toLowerCase().replaceAll('_', '-'),
    title,
    status,
    detail: error.detail,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...error.extensions,
  };
}
