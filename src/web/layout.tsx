/** The page shell shared by every web page: one stylesheet, skip link, navigation by role, messages. */
import type { Child, FC } from 'hono/jsx';
import type { Principal } from '../services/access.js';
import { CARE_NEEDS, type CareNeed } from '../domain/care-needs.js';
import { ApiError } from '../http/problem.js';
import { toApiError } from '../http/app.js';

// High-contrast colours (all text ≥ 4.5:1 on its background), large touch targets, one column on phones.
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff}
a{color:#1d4f91}a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #ffbf47;outline-offset:2px}
.vh{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:2}
header{background:#0b3b60;color:#fff;padding:.5rem 1rem}header a{color:#fff}
header .brand{font-weight:700;margin-right:1rem}
nav ul{list-style:none;margin:.25rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
main{max-width:70rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin-top:1.75rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f2f1}.scroll{overflow-x:auto}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
input[type=text],input[type=date],input[type=time],input[type=number],input[type=password],select,textarea{font:inherit;padding:.4rem;border:2px solid #0b0c0c;border-radius:0;width:100%;max-width:32rem}
input[type=checkbox],input[type=radio]{width:1.2rem;height:1.2rem;vertical-align:middle;margin-right:.35rem}
fieldset{border:1px solid #b1b4b6;margin:.75rem 0;padding:.5rem 1rem}legend{font-weight:700}
.checks label{display:inline-block;font-weight:400;margin-right:1rem}
button{font:inherit;font-weight:600;padding:.5rem 1rem;border:0;background:#00703c;color:#fff;cursor:pointer;margin:.5rem .5rem .5rem 0}
button.secondary{background:#f3f2f1;color:#0b0c0c;border:2px solid #0b0c0c}
button.link{background:none;color:#fff;text-decoration:underline;padding:0;margin:0;font-weight:400}
.error{border:4px solid #d4351c;padding:.5rem 1rem;margin:1rem 0}.error h2{margin:0;color:#d4351c;font-size:1.1rem}
.notice{border-left:6px solid #00703c;background:#f3f9f6;padding:.5rem 1rem;margin:1rem 0}
.hint{color:#505a5f;font-size:.95rem;margin:.1rem 0}
.free{font-weight:700;color:#005a30}.full{font-weight:700;color:#942514}
.cal td{min-width:7rem}.cal ul{list-style:none;margin:0;padding:0}.cal li{margin:.15rem 0}
.month{table-layout:fixed}.month td{height:4.5rem;font-size:.95rem}.month td.blank{background:#f3f2f1}.month abbr{text-decoration:none}
.tag{display:inline-block;background:#e8f1f8;color:#0b3b60;padding:0 .35rem;margin:.1rem;font-size:.85rem}
dl.passport{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.25rem 0}dl.passport dt{font-weight:600}
@media (max-width:40rem){main{padding:.5rem}h1{font-size:1.35rem}th,td{padding:.25rem}.month td{font-size:.85rem;overflow-wrap:anywhere}.month .detail{display:none}}
`;

export interface NavItem {
  href: string;
  label: string;
}

const NAV: Record<Principal['role'], NavItem[]> = {
  COORDINATOR: [
    { href: '/coordinator', label: 'Capacity calendar' },
    { href: '/coordinator/rounds', label: 'Allocation rounds' },
    { href: '/coordinator/swaps', label: 'Swaps' },
    { href: '/coordinator/closures', label: 'Closures' },
    { href: '/coordinator/ledger', label: 'Entitlement ledger' },
  ],
  PROVIDER: [
    { href: '/provider', label: 'Upcoming bookings' },
    { href: '/provider/capacity', label: 'Capacity' },
  ],
  FAMILY: [
    { href: '/family', label: 'Our breaks' },
    { href: '/family/request', label: 'Request breaks' },
  ],
};

/** A wide table that scrolls sideways on a phone; focusable so keyboard users can scroll it too. */
export const Scroll: FC<{ label: string; children?: Child }> = ({ label, children }) => (
  <div class="scroll" tabindex={0} role="region" aria-label={label}>
    {children}
  </div>
);

/** Choose one care need a place must meet (the `capability` filter of GET /v1/slots). */
export const CapabilitySelect: FC<{ label: string; value?: CareNeed }> = ({ label, value }) => (
  <>
    <label for="capability">{label}</label>
    <select id="capability" name="capability">
      <option value="">Any need</option>
      {CARE_NEEDS.map((n) => (
        <option value={n} selected={n === value}>
          {human(n)}
        </option>
      ))}
    </select>
  </>
);

/** The `capability` query value when it names a care need. */
export const capabilityOf = (value: string | undefined): CareNeed | undefined =>
  (CARE_NEEDS as readonly string[]).includes(value ?? '') ? (value as CareNeed) : undefined;

/** A table with column headings, scrollable sideways on a phone. */
export const DataTable: FC<{ label: string; caption?: string; headers: string[]; children?: Child }> = ({ label, caption, headers, children }) => (
  <Scroll label={label}>
    <table>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {headers.map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  </Scroll>
);

export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

export const Layout: FC<{ title: string; session: Principal | null; csrf: string; current?: string; children?: Child }> = ({
  title,
  session,
  csrf,
  current,
  children,
}) => (
  <html lang="en-GB">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} – Short breaks`}</title>
      <style dangerouslySetInnerHTML={{ __html: CSS }} />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to main content
      </a>
      <header>
        <span class="brand">Short breaks</span>
        {session ? (
          <nav aria-label="Main">
            <ul>
              {NAV[session.role].map((n) => (
                <li>
                  <a href={n.href} aria-current={n.href === current ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
              <li>
                <form method="post" action="/sign-out">
                  <Csrf token={csrf} />
                  <button class="link" type="submit">
                    Sign out
                  </button>
                </form>
              </li>
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="main">
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

/** What went wrong, in words: the service's own `detail`, plus any field problems. */
export function errorMessage(err: unknown): { detail: string; fields: string[] } {
  const e = err instanceof ApiError ? err : toApiError(err);
  const fields = (e.extensions.errors ?? []).map((f) => `${f.path.replace(/^body\./, '')}: ${f.message}`);
  return { detail: e.detail, fields };
}

export const ErrorBox: FC<{ error?: { detail: string; fields: string[] } | null }> = ({ error }) =>
  error ? (
    <div class="error" role="alert" tabindex={-1}>
      <h2>There is a problem</h2>
      <p>{error.detail}</p>
      {error.fields.length ? (
        <ul>
          {error.fields.map((f) => (
            <li>{f}</li>
          ))}
        </ul>
      ) : null}
    </div>
  ) : null;

export const Notice: FC<{ text?: string | null }> = ({ text }) =>
  text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;

/** "Fri 6 Mar 2026, 17:00" in Europe/London. */
export function when(iso: string | Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

export const human = (tag: string) => tag.charAt(0) + tag.slice(1).toLowerCase().replaceAll('_', ' ');
