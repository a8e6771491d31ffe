/** A cookie jar over app.request, for page tests that sign in as a person would (no Chromium needed). */
import { buildApp } from '../../src/app.js';

let shared: ReturnType<typeof buildApp> | undefined;

export function pageBrowser(app = (shared ??= buildApp())) {
  const jar = new Map<string, string>();
  async function request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), Accept: 'text/html' };
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await app.request(path, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), contentType: res.headers.get('content-type'), html: await res.text() };
  }
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  async function signIn(token: string) {
    const page = await request('/');
    return request('/sign-in', { method: 'POST', form: { _csrf: csrfOf(page.html), token } });
  }
  return { request, signIn, csrfOf };
}
