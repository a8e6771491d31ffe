/** Drive the real app in-process through app.request(), as a client would. */
import { buildApp } from '../../src/app.js';

let app: ReturnType<typeof buildApp> | undefined;
const theApp = () => (app ??= buildApp());

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const res = await theApp().request(path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (e.g. text/calendar); leave as text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const get = <T = any>(path: string, token?: string) => call<T>('GET', path, { token });
export const post = <T = any>(path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>) =>
  call<T>('POST', path, { token, body, headers });
export const patch = <T = any>(path: string, token: string | undefined, body?: unknown) => call<T>('PATCH', path, { token, body });
export const put = <T = any>(path: string, token: string | undefined, body?: unknown) => call<T>('PUT', path, { token, body });

/** Assert a problem+json response and return it. */
export function expectProblem(res: ApiResponse, status: number, code?: string) {
  if (res.status !== status || !String(res.headers.get('content-type')).includes('application/problem+json')) {
    throw new Error(`expected problem ${status}${code ? ` ${code}` : ''}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  if (code && res.body.code !== code) throw new Error(`expected code ${code}, got ${res.body.code}: ${res.body.detail}`);
  return res.body as { type: string; title: string; status: number; detail: string; code: string; errors?: { path: string; message: string }[] };
}
