/**
 * The one way a page carries out what a form asked for. A refusal the person can
 * act on (a field that is not valid, a state that forbids it, a place already
 * taken: anything that is a 4xx) re-renders the page with the GOV.UK error
 * summary; anything else is a bug or an outage, so it is not caught here and
 * reaches webRouter.onError, which logs it and shows the "problem with the
 * service" page.
 */
import { ZodError } from 'zod';
import { toApiError, validationError } from '../../http/app.js';
import { errorMessage, type PageError } from '../layout.js';

type Page = Response | Promise<Response>;

/** The page's words for an expected refusal, or null when `err` is not one (a bug, an outage). */
export function refusalOf(err: unknown): PageError | null {
  const apiError = err instanceof ZodError ? validationError(err.issues) : toApiError(err);
  return apiError.status < 500 ? errorMessage(apiError) : null;
}

/** For a page's own `catch`: the words for an expected refusal; anything else is thrown on to webRouter.onError. */
export function refusal(err: unknown): PageError {
  const words = refusalOf(err);
  if (!words) throw err;
  return words;
}

/**
 * Runs `act`; on success answers `done(result)` (usually a 303 to the next page),
 * on an expected refusal `refused(error)` (the same page with the error summary).
 */
export async function formAction<T>(act: () => Promise<T> | T, on: { done: (result: T) => Page; refused: (error: PageError) => Page }): Promise<Response> {
  let result: T;
  try {
    result = await act();
  } catch (err) {
    return on.refused(refusal(err));
  }
  return on.done(result);
}

/** For `.catch()` on a read a page can do without: an expected refusal (not found, not yours) gives `fallback`, a bug still throws. */
export const unlessRefused =
  <T,>(fallback: T) =>
  (err: unknown): T => {
    if (refusalOf(err)) return fallback;
    throw err;
  };
