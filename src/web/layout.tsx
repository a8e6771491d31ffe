/**
 * The page shell and components shared by every web page, in the GOV.UK Design
 * System (govuk-frontend, served by this app from /assets: no CDN). Pages use
 * these components rather than writing GOV.UK classes themselves, so a page
 * added in a new file looks like the rest. Plain elements inside <main> (a
 * <label>, <input>, <button>, <table> without classes) get the GOV.UK look
 * from the base styles below too, at the lowest specificity, so real GOV.UK
 * classes always win.
 */
import type { Child, FC } from 'hono/jsx';
import type { Principal } from '../services/access.js';
import { CARE_NEEDS, type CareNeed } from '../domain/care-needs.js';
import { ApiError } from '../errors.js';
import { toApiError } from '../http/app.js';
import { human } from './format.js';

export { human, when } from './format.js';

// The base look for plain elements (values from govuk-frontend's own settings), the phone layout,
// and the few things GOV.UK has no component for (calendar cells, heat-map colours, charts).
const CSS = `
.govuk-template__body{font-family:"GDS Transport",arial,sans-serif;-webkit-font-smoothing:antialiased;color:#0b0c0c;font-size:1rem;line-height:1.25}
@media (min-width:40.0625em){.govuk-template__body{font-size:1.1875rem;line-height:1.32}}
:where(main) :where(p,li,dd,dt,td,th,label,legend,summary,caption,figcaption){font-size:inherit}
:where(main) :where(h2:not([class*=govuk])){font-size:1.5rem;font-weight:700;margin:1.5em 0 .6em}
:where(main) :where(h3:not([class*=govuk])){font-size:1.1875rem;font-weight:700;margin:1.2em 0 .5em}
:where(main) :where(p:not([class*=govuk])){margin:0 0 1em}
:where(main) :where(a:not([class*=govuk])){color:#1d70b8;text-decoration-thickness:max(1px,.0625rem);text-underline-offset:.1578em}
:where(main) :where(a:not([class*=govuk]):hover){color:#003078}
:where(main) :where(a:not([class*=govuk]):focus){color:#0b0c0c;background-color:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none;outline:3px solid transparent}
:where(main) :where(label:not([class*=govuk])){display:block;margin:1em 0 .3em;font-weight:400}
:where(main) :where(input:not([class*=govuk])[type=text],input:not([class*=govuk])[type=date],input:not([class*=govuk])[type=time],input:not([class*=govuk])[type=number],input:not([class*=govuk])[type=password],input:not([class*=govuk])[type=email],input:not([class*=govuk])[type=tel],select:not([class*=govuk]),textarea:not([class*=govuk])){font:inherit;box-sizing:border-box;width:100%;max-width:30em;min-height:2.5rem;padding:5px;border:2px solid #0b0c0c;border-radius:0;background:#fff}
:where(main) :where(input:not([class*=govuk])[type=text],input:not([class*=govuk])[type=date],input:not([class*=govuk])[type=time],input:not([class*=govuk])[type=number],input:not([class*=govuk])[type=password],input:not([class*=govuk])[type=email],input:not([class*=govuk])[type=tel],select:not([class*=govuk]),textarea:not([class*=govuk])){margin-bottom:.75em}
:where(main) :where(input:not([class*=govuk]),select:not([class*=govuk]),textarea:not([class*=govuk])):focus{outline:3px solid #fd0;outline-offset:0;box-shadow:inset 0 0 0 2px}
:where(main) :where(input:not([class*=govuk])[type=checkbox],input:not([class*=govuk])[type=radio]){width:1.5rem;height:1.5rem;vertical-align:middle;margin:0 .5rem 0 0;accent-color:#0b0c0c}
:where(main) :where(fieldset:not([class*=govuk])){border:0;margin:0 0 1.5em;padding:0;min-width:0}
:where(main) :where(legend:not([class*=govuk])){font-weight:700;margin-bottom:.4em;padding:0}
:where(main) :where(button:not([class*=govuk])){font:inherit;font-weight:400;line-height:1.19;display:inline-block;margin:0 .9em 1.3em 0;padding:8px 10px 7px;border:2px solid transparent;border-radius:0;color:#fff;background:#00703c;box-shadow:0 2px 0 #002d18;cursor:pointer;text-align:center}
:where(main) :where(button:not([class*=govuk])):hover{background:#005a30}
:where(main) :where(button:not([class*=govuk])):focus{outline:3px solid transparent;border-color:#fd0;color:#0b0c0c;background:#fd0;box-shadow:inset 0 0 0 1px #fd0,0 2px 0 #0b0c0c}
:where(main) :where(button.secondary){background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
:where(main) :where(button.secondary):hover{background:#dbdad9}
:where(main) :where(button.warning){background:#d4351c;box-shadow:0 2px 0 #55150b}
:where(main) :where(table:not([class*=govuk])){border-collapse:collapse;border-spacing:0;width:100%;margin-bottom:1.5em}
:where(main) :where(th:not([class*=govuk]),td:not([class*=govuk])){padding:10px 20px 10px 0;border-bottom:1px solid #b1b4b6;text-align:left;vertical-align:top}
:where(main) :where(th:not([class*=govuk])){font-weight:700}
:where(main) :where(caption:not([class*=govuk])){text-align:left;font-weight:700;margin-bottom:.5em}
:where(main) :where(details:not([class*=govuk])){margin-bottom:1.2em}
:where(main) :where(summary:not([class*=govuk])){color:#1d70b8;cursor:pointer;text-decoration:underline}
:where(main) :where(code:not([class*=govuk])){font-family:monospace;overflow-wrap:anywhere}
.vh{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important;border:0!important}
.hint{color:#505a5f}
.free{font-weight:700;color:#005a30}.full{font-weight:700;color:#942514}
.tag{display:inline-block;padding:2px 8px 3px;margin:0 .25em .25em 0;background:#d2e2f1;color:#0c2d4a;font-size:1rem}
.scroll{overflow-x:auto;max-width:100%;margin-bottom:1.5em}.scroll:focus{outline:3px solid #fd0}
.scroll table{margin-bottom:0}
.cal td{min-width:7rem}.cal th[scope=row]{min-width:13rem}.cal ul{list-style:none;margin:0;padding:0}.cal li{margin:.15rem 0}
.month{table-layout:fixed}.month td,.month th{padding:6px 4px;font-size:1rem}.month td{height:4.5rem}.month td.blank{background:#f3f2f1}.month abbr{text-decoration:none}
.app-heat-0{background:#f3f2f1}.app-heat-1{background:#e0f0e6}.app-heat-2{background:#b7dcc4}.app-heat-3{background:#7fc29b}.app-heat-4{background:#005a30;color:#fff}.app-heat-4 a{color:#fff}
dl.passport{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 1em}dl.passport dt{font-weight:700}dl.passport dd{margin:0}
.app-sign-out{display:inline;margin:0}
.app-sign-out button.govuk-service-navigation__link{font:inherit;background:none;border:0;padding:0;margin:0;color:#1d70b8;text-decoration:underline;cursor:pointer;box-shadow:none}
.app-sign-out button:focus{outline:3px solid transparent;background:#fd0;color:#0b0c0c;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}
.app-chart{max-width:100%;height:auto}
.app-heat th,.app-heat td{padding:4px 3px;text-align:center;font-size:.875rem;min-width:1.9em}.app-heat th[scope=row]{text-align:left;white-space:nowrap}
.app-wide-select{width:100%;max-width:40em;min-width:0}
.app-break{margin-bottom:2em}
@media (max-width:40em){
  .cal td{min-width:6rem}.cal th[scope=row]{min-width:8rem}
  .month td,.month th{font-size:.875rem;padding:4px 2px;overflow-wrap:anywhere}.month .detail{display:none}
  dl.passport{grid-template-columns:1fr}dl.passport dd{margin-bottom:.4rem}
  :where(main) :where(th,td){padding-right:10px}
}
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
  TRANSPORT: [],
  ADMIN: [],
};

/** Add a page to a role's navigation (for pages that live in their own file); an href already there is kept once. */
export function addNavItem(role: Principal['role'], item: NavItem): void {
  if (!NAV[role].some((n) => n.href === item.href)) NAV[role].push(item);
}

/** A wide table that scrolls sideways on a phone; focusable so keyboard users can scroll it too. */
export const Scroll: FC<{ label: string; children?: Child }> = ({ label, children }) => (
  <div class="scroll" tabindex={0} role="region" aria-label={label}>
    {children}
  </div>
);

/** Choose one care need a place must meet (the `capability` filter of GET /v1/slots). */
export const CapabilitySelect: FC<{ label: string; value?: CareNeed }> = ({ label, value }) => (
  <div class="govuk-form-group">
    <label class="govuk-label" for="capability">
      {label}
    </label>
    <select class="govuk-select" id="capability" name="capability">
      <option value="">Any need</option>
      {CARE_NEEDS.map((n) => (
        <option value={n} selected={n === value}>
          {human(n)}
        </option>
      ))}
    </select>
  </div>
);

/** The `capability` query value when it names a care need. */
export const capabilityOf = (value: string | undefined): CareNeed | undefined =>
  (CARE_NEEDS as readonly string[]).includes(value ?? '') ? (value as CareNeed) : undefined;

/** A GOV.UK table with column headings, scrollable sideways on a phone. */
export const DataTable: FC<{ label: string; caption?: string; headers: string[]; numeric?: number[]; children?: Child }> = ({ label, caption, headers, numeric, children }) => (
  <Scroll label={label}>
    <table class="govuk-table">
      {caption ? <caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption> : null}
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          {headers.map((h, i) => (
            <th scope="col" class={`govuk-table__header${numeric?.includes(i) ? ' govuk-table__header--numeric' : ''}`}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody class="govuk-table__body">{children}</tbody>
    </table>
  </Scroll>
);

export interface SummaryRow {
  key: string;
  value: Child;
  /** An optional action link at the end of the row ("Change", "View"). */
  action?: { href: string; text: string; hidden?: string };
}

/** A GOV.UK summary list: key, value and an optional action per row. */
export const SummaryList: FC<{ rows: SummaryRow[]; borderless?: boolean }> = ({ rows, borderless }) => (
  <dl class={`govuk-summary-list${borderless ? ' govuk-summary-list--no-border' : ''}`}>
    {rows.map((r) => (
      <div class="govuk-summary-list__row">
        <dt class="govuk-summary-list__key">{r.key}</dt>
        <dd class="govuk-summary-list__value">{r.value}</dd>
        {r.action ? (
          <dd class="govuk-summary-list__actions">
            <a class="govuk-link" href={r.action.href}>
              {r.action.text}
              {r.action.hidden ? <span class="govuk-visually-hidden"> {r.action.hidden}</span> : null}
            </a>
          </dd>
        ) : null}
      </div>
    ))}
  </dl>
);

export type TagColour = 'grey' | 'green' | 'turquoise' | 'blue' | 'light-blue' | 'purple' | 'pink' | 'red' | 'orange' | 'yellow';
/** A GOV.UK tag ("Confirmed", "Behind"). */
export const Tag: FC<{ colour?: TagColour; children?: Child }> = ({ colour, children }) => <strong class={`govuk-tag${colour ? ` govuk-tag--${colour}` : ''}`}>{children}</strong>;

/** A booking's or request's status as a coloured tag. */
const STATUS_COLOURS: Record<string, TagColour> = {
  CONFIRMED: 'green',
  ALLOCATED: 'blue',
  ATTENDED: 'turquoise',
  NO_SHOW: 'orange',
  CANCELLED: 'grey',
  REHOMED: 'purple',
  OPEN: 'blue',
  WITHDRAWN: 'grey',
  PUBLISHED: 'green',
  COMPLETED: 'turquoise',
  DISCARDED: 'grey',
  FAILED: 'red',
  QUEUED: 'yellow',
  RUNNING: 'yellow',
};
export const StatusTag: FC<{ status: string }> = ({ status }) => <Tag colour={STATUS_COLOURS[status] ?? 'grey'}>{human(status)}</Tag>;

/**
 * A GOV.UK date input (day, month, year). It posts `name-day`, `name-month`
 * and `name-year`; readForm() and dateQuery() put them back together as
 * `name` = YYYY-MM-DD, so a page reads it like any other field.
 */
/** `id` (default: `name`) names the inputs' ids, for a page with the same date field in several forms. */
export const DateInput: FC<{ name: string; id?: string; legend: string; value?: string; hint?: string; error?: string }> = ({ name, id, legend, value, hint, error }) => {
  const [y, m, d] = value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.split('-') : ['', '', ''];
  const base = id ?? name;
  const describedBy = [hint ? `${base}-hint` : '', error ? `${base}-error` : ''].filter(Boolean).join(' ') || undefined;
  const part = (key: 'day' | 'month' | 'year', label: string, v: string | undefined, width: number) => (
    <div class="govuk-date-input__item">
      <div class="govuk-form-group">
        <label class="govuk-label govuk-date-input__label" for={key === 'day' ? base : `${base}-${key}`}>
          {label}
        </label>
        <input
          class={`govuk-input govuk-date-input__input govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`}
          id={key === 'day' ? base : `${base}-${key}`}
          name={`${name}-${key}`}
          type="text"
          inputmode="numeric"
          value={v ? String(Number(v)) : ''}
        />
      </div>
    </div>
  );
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset class="govuk-fieldset" role="group" aria-describedby={describedBy}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        {hint ? (
          <div id={`${base}-hint`} class="govuk-hint">
            {hint}
          </div>
        ) : null}
        {error ? (
          <p id={`${base}-error`} class="govuk-error-message">
            <span class="govuk-visually-hidden">Error:</span> {error}
          </p>
        ) : null}
        <div class="govuk-date-input">
          {part('day', 'Day', d, 2)}
          {part('month', 'Month', m, 2)}
          {part('year', 'Year', y, 4)}
        </div>
      </fieldset>
    </div>
  );
};

/**
 * GOV.UK radios or checkboxes in a fieldset: one `name`, each option's id `<id>-<value>` (`id` is the
 * name unless a page has one such form per row and needs them apart), an optional hint under the
 * legend, side by side when `inline`.
 */
export const Choices: FC<{
  type: 'radio' | 'checkbox';
  name: string;
  id?: string;
  legend: string;
  hint?: string;
  inline?: boolean;
  options: readonly (readonly [string, string])[];
  checked: (value: string) => boolean;
}> = ({ type, name, id = name, legend, hint, inline, options, checked }) => {
  const kind = type === 'radio' ? 'radios' : 'checkboxes';
  return (
    <div class="govuk-form-group">
      <fieldset class="govuk-fieldset" id={id} aria-describedby={hint ? `${id}-hint` : undefined}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        {hint ? (
          <div class="govuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
        <div class={`govuk-${kind} govuk-${kind}--small${inline ? ` govuk-${kind}--inline` : ''}`} data-module={`govuk-${kind}`}>
          {options.map(([value, label]) => (
            <div class={`govuk-${kind}__item`}>
              <input class={`govuk-${kind}__input`} id={`${id}-${value}`} name={name} type={type} value={value} checked={checked(value)} />
              <label class={`govuk-label govuk-${kind}__label`} for={`${id}-${value}`}>
                {label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
};

/** A GOV.UK button; `secondary` and `warning` are its other looks. Submit by default. */
export const Button: FC<{ variant?: 'secondary' | 'warning'; formaction?: string; name?: string; value?: string; children?: Child }> = ({ variant, formaction, name, value, children }) => (
  <button type="submit" class={`govuk-button${variant ? ` govuk-button--${variant}` : ''}`} data-module="govuk-button" formaction={formaction} name={name} value={value}>
    {children}
  </button>
);

export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

export const Layout: FC<{ title: string; session: Principal | null; csrf: string; current?: string; /** Shown above the heading, e.g. a back link. */ before?: Child; children?: Child }> = ({
  title,
  session,
  csrf,
  current,
  before,
  children,
}) => (
  <html lang="en-GB" class="govuk-template govuk-template--rebranded">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
      <meta name="theme-color" content="#1d70b8" />
      <title>{`${title} – Short breaks`}</title>
      <link rel="icon" sizes="48x48" href="/assets/rebrand/images/favicon.ico" />
      <link rel="icon" sizes="any" href="/assets/rebrand/images/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/assets/govuk-frontend.min.css" />
      <style dangerouslySetInnerHTML={{ __html: CSS }} />
    </head>
    <body class="govuk-template__body">
      <script dangerouslySetInnerHTML={{ __html: "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');" }} />
      <a href="#main" class="govuk-skip-link" data-module="govuk-skip-link">
        Skip to main content
      </a>
      <header class="govuk-header" data-module="govuk-header">
        <div class="govuk-header__container govuk-width-container">
          <div class="govuk-header__logo">
            <a href="/" class="govuk-header__link govuk-header__link--homepage">
              <span class="govuk-header__product-name">Short breaks</span>
            </a>
          </div>
        </div>
      </header>
      {session ? (
        <section aria-label="Service menu" class="govuk-service-navigation" data-module="govuk-service-navigation">
          <div class="govuk-width-container">
            <div class="govuk-service-navigation__container">
              <nav aria-label="Main" class="govuk-service-navigation__wrapper">
                <button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden>
                  Menu
                </button>
                <ul class="govuk-service-navigation__list" id="navigation">
                  {NAV[session.role].map((n) => (
                    <li class={`govuk-service-navigation__item${n.href === current ? ' govuk-service-navigation__item--active' : ''}`}>
                      <a class="govuk-service-navigation__link" href={n.href} aria-current={n.href === current ? 'page' : undefined}>
                        {n.href === current ? <strong class="govuk-service-navigation__active-fallback">{n.label}</strong> : n.label}
                      </a>
                    </li>
                  ))}
                  <li class="govuk-service-navigation__item">
                    <form method="post" action="/sign-out" class="app-sign-out">
                      <Csrf token={csrf} />
                      <button class="govuk-service-navigation__link" type="submit">
                        Sign out
                      </button>
                    </form>
                  </li>
                </ul>
              </nav>
            </div>
          </div>
        </section>
      ) : null}
      <div class="govuk-width-container">
        {/* The back link sits above <main> as the Design System places it, inside a landmark so no content is outside one. */}
        {before ? <nav aria-label="Back">{before}</nav> : null}
        <main class="govuk-main-wrapper" id="main">
          <h1 class="govuk-heading-l">{title}</h1>
          {children}
        </main>
      </div>
      <footer class="govuk-footer">
        <div class="govuk-width-container">
          <div class="govuk-footer__meta">
            <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
              <p class="govuk-body-s">Short breaks for disabled children: booking and capacity for councils, providers and families.</p>
            </div>
          </div>
        </div>
      </footer>
      <script type="module" dangerouslySetInnerHTML={{ __html: "import { initAll } from '/assets/govuk-frontend.min.js'; initAll();" }} />
    </body>
  </html>
);

/** A GOV.UK back link, for Layout's `before`. */
export const BackLink: FC<{ href: string; children?: Child }> = ({ href, children }) => (
  <a href={href} class="govuk-back-link">
    {children ?? 'Back'}
  </a>
);

// ---- Errors in plain English ---------------------------------------------------

/** What a form field is called on the page, for messages ("The end date must be on or after the start date"). */
const FIELD_LABELS: Record<string, string> = {
  periodStart: 'the start date',
  periodEnd: 'the end date',
  from: 'the start date',
  to: 'the end date',
  startDate: 'the first date',
  untilDate: 'the last date',
  effectiveFrom: 'the closing date',
  completedOn: 'the date the course was completed',
  expiresOn: 'the expiry date',
  childId: 'the child',
  slotId: 'the break',
  providerId: 'the provider',
  bookingId: 'the break',
  withBookingId: 'the other break',
  preferences: 'your choices',
  nightsWanted: 'the number of nights',
  stayNights: 'the nights to keep together',
  nights: 'the number of nights',
  sessions: 'the number of day sessions',
  places: 'the number of places',
  startTime: 'the start time',
  durationMinutes: 'the length',
  reason: 'the reason',
  note: 'the note',
  notes: 'the notes',
  seed: 'the seed',
  status: 'the answer',
  pickedUpAt: 'the pick-up time',
  name: 'the name',
  capabilities: 'what the places can meet',
  exdates: 'the dates with no break',
};

const words = (field: string) => field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const labelOf = (field: string) => FIELD_LABELS[field] ?? `the ${words(field)}`;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One field problem as a sentence without code names: "periodEnd: must be on or after periodStart" → "The end date must be on or after the start date". */
export function plainFieldMessage(path: string, message: string): string {
  const segments = path.split('.').filter((s) => s && !['body', 'query', 'path', 'header', '(root)'].includes(s) && !/^\d+$/.test(s));
  const field = segments.at(-1);
  let text = message
    .replace(/^Invalid input: expected \w+, received (undefined|null)$/i, 'is missing')
    .replace(/^Invalid input: expected .*$/i, 'is not valid')
    .replace(/^Invalid (UUID|uuid)$/, 'was not chosen from the list')
    .replace(/^Invalid option: .*$/i, 'is not one of the choices')
    .replace(/^Too small: expected (string|array) to have >=?1 .*$/i, 'is missing')
    .replace(/^Too small: expected \w+ to (have|be) >=?(\d+).*$/i, 'must be at least $2')
    .replace(/^Too big: expected \w+ to (have|be) <=?(\d+).*$/i, 'must be at most $2')
    .replace(/^use YYYY-MM-DD$/, 'must be a date written like 2027-01-08')
    .replace(/^not a real calendar date.*$/, 'must be a real date')
    .replace(/^use HH:MM \(24-hour\)$/, 'must be a time like 17:00')
    .replace(/^unknown field$/, 'is not expected here')
    // Other field names inside a message become their labels too ("on or after periodStart").
    .replace(/\b([a-z]+[A-Z][A-Za-z]*|from|to)\b$/, (w) => (FIELD_LABELS[w] ? FIELD_LABELS[w]! : w));
  // A message that is already a sentence of its own ("say why the break did not happen") stands alone.
  const standsAlone = /^(say|choose|award|a |an |only|enter|this|the |you|your)/i.test(text);
  if (!field || standsAlone) return capitalise(text);
  return capitalise(`${labelOf(field)} ${text}`);
}

export interface PageError {
  detail: string;
  /** Plain-English messages, one per field problem. */
  fields: string[];
  /** The id of the field each message is about (same order as `fields`), for the error summary's links. */
  anchors?: (string | undefined)[];
}

/** What went wrong, in words: the service's own `detail`, plus any field problems as plain sentences. */
export function errorMessage(err: unknown): PageError {
  const e = err instanceof ApiError ? err : toApiError(err);
  const problems = e.extensions.errors ?? [];
  return {
    detail: e.code === 'VALIDATION_FAILED' && e.detail === 'Some fields are not valid' ? 'Check the answers below.' : e.detail,
    fields: problems.map((f) => plainFieldMessage(f.path, f.message)),
    anchors: problems.map((f) => f.path.split('.').filter((s) => s && !/^\d+$/.test(s) && s !== 'body').at(-1)),
  };
}

/** The GOV.UK error summary; each field message links to its field when the page has one with that id. */
export const ErrorBox: FC<{ error?: PageError | null }> = ({ error }) =>
  error ? (
    <div class="govuk-error-summary" data-module="govuk-error-summary" role="alert" tabindex={-1}>
      <h2 class="govuk-error-summary__title">There is a problem</h2>
      <div class="govuk-error-summary__body">
        <p>{error.detail}</p>
        {error.fields.length ? (
          <ul class="govuk-list govuk-error-summary__list">
            {error.fields.map((f, i) => (
              <li>{error.anchors?.[i] ? <a href={`#${error.anchors[i]}`}>{f}</a> : f}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  ) : null;

/** A GOV.UK notification banner: `success` after something was done, otherwise important information. */
export const Banner: FC<{ success?: boolean; title?: string; children?: Child }> = ({ success, title, children }) => (
  <div
    class={`govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`}
    role={success ? 'status' : 'region'}
    aria-label={title ?? (success ? 'Done' : 'Important')}
    data-module="govuk-notification-banner"
  >
    <div class="govuk-notification-banner__header">
      <h2 class="govuk-notification-banner__title">
        {title ?? (success ? 'Done' : 'Important')}
      </h2>
    </div>
    <div class="govuk-notification-banner__content">{children}</div>
  </div>
);

/** What a form just did, as a success banner (nothing when there is nothing to say). */
export const Notice: FC<{ text?: string | null }> = ({ text }) =>
  text ? (
    <Banner success>
      <p class="govuk-notification-banner__heading">{text}</p>
    </Banner>
  ) : null;
