/**
 * A cookie jar for page tests that sign in as a person would (no Chromium needed):
 * `pageBrowser` over app.request, `fetchBrowser` over HTTP to real processes
 * (replicas, a test server), optionally from a forwarded client address.
 */
import { buildApp } from '../../src/app.js';

let shared: ReturnType<typeof buildApp> | undefined;

/** The cookies a browser keeps: sent with each request, updated (or dropped) from each response's Set-Cookie. */
function cookieJar() {
  const jar = new Map<string, string>();
  return {
    jar,
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    keep(res: Response) {
      for (const cookie of res.headers.getSetCookie()) {
        const [pair, ...attrs] = cookie.split(';');
        const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
        if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
    },
  };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const formBody = (form?: Record<string, string>) => (form ? new URLSearchParams(form).toString() : undefined);

export function pageBrowser(app = (shared ??= buildApp())) {
  const cookies = cookieJar();
  async function request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { Cookie: cookies.header(), Accept: 'text/html' };
    if (init.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = await app.request(path, { method: init.method ?? 'GET', headers, body: formBody(init.form), redirect: 'manual' });
    cookies.keep(res);
    return { status: res.status, location: res.headers.get('location'), contentType: res.headers.get('content-type'), html: await res.text() };
  }
  async function signIn(token: string) {
    const page = await request('/');
    return request('/sign-in', { method: 'POST', form: { _csrf: csrfOf(page.html), token } });
  }
  return { request, signIn, csrfOf };
}

/** The same over real HTTP: one jar for any number of processes (`base` per request), as seen from `forwardedFor` when given. */
export function fetchBrowser(options: { forwardedFor?: string } = {}) {
  const cookies = cookieJar();
  async function request(base: string, path: string, form?: Record<string, string>) {
    const res = await fetch(base + path, {
      method: form ? 'POST' : 'GET',
      headers: {
        Cookie: cookies.header(),
        ...(options.forwardedFor ? { 'X-Forwarded-For': options.forwardedFor } : {}),
        ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: formBody(form),
      redirect: 'manual',
    });
    cookies.keep(res);
    const html = await res.text();
    return { status: res.status, location: res.headers.get('location'), html, csrf: csrfOf(html) };
  }
  return { jar: cookies.jar, request };
}
