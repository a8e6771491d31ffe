/**
 * What every page shares: the GOV.UK Design System served by the app
 * itself, an HTML "Page not found" for unknown page URLs while the API keeps
 * problem+json, and validation messages in plain English without field names.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { plainFieldMessage } from '../../src/web/layout.js';
import { clockTime, longDate, span, when } from '../../src/web/format.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);
const app = buildApp();

describe('the pages’ shell', () => {
  it('serves govuk-frontend’s stylesheet, script, fonts and images itself, and nothing outside the package', async () => {
    const page = await (await app.request('/')).text();
    expect(page).toContain('href="/assets/govuk-frontend.min.css"');
    expect(page).not.toMatch(/https?:\/\/(?!localhost)[^"']*\.(css|js|woff2?)/);
    const css = await app.request('/assets/govuk-frontend.min.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    const fonts = [...(await css.text()).matchAll(/url\((\/assets\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(fonts.length).toBeGreaterThan(3);
    for (const url of fonts) expect((await app.request(url)).status, url).toBe(200);
    expect((await app.request('/assets/govuk-frontend.min.js')).headers.get('content-type')).toContain('javascript');
    expect((await app.request('/assets/rebrand/images/favicon.svg')).status).toBe(200);
    for (const bad of ['/assets/../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/fonts/none.woff2', '/assets/manifest.txt']) {
      expect((await app.request(bad)).status, bad).toBe(404);
    }
  });

  it('an unknown page URL is an HTML "Page not found"; an unknown API route is still problem+json', async () => {
    for (const path of ['/nope', '/nothing/here.html', '/v2/anything']) {
      const res = await app.request(path, { headers: { Accept: 'text/html,application/xhtml+xml' } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('text/html');
      expect(await res.text()).toContain('Page not found');
    }
    // Unauthenticated, the API answers 401 before routing; either way it is problem+json, never a page.
    expect((await app.request('/nope')).headers.get('content-type'), 'a client that did not ask for HTML').toContain('application/problem+json');
    const api = await app.request('/v1/nothing', { headers: { Accept: 'text/html' } });
    expect([401, 404]).toContain(api.status);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });

  it('writes validation problems as sentences without code names', () => {
    expect(plainFieldMessage('body.periodEnd', 'must be on or after periodStart')).toBe('The end date must be on or after the start date');
    expect(plainFieldMessage('periodStart', 'not a real calendar date between 2000 and 2100')).toBe('The start date must be a real date');
    expect(plainFieldMessage('body.childId', 'Invalid UUID')).toBe('The child was not chosen from the list');
    expect(plainFieldMessage('preferences', 'choose at least one break or one day of the week')).toBe('Choose at least one break or one day of the week');
    expect(plainFieldMessage('body.nightsWanted', 'Too small: expected number to be >=1')).toBe('The number of nights must be at least 1');
    expect(plainFieldMessage('body.someNewField', 'is odd')).toBe('The some new field is odd');
  });

  it('writes dates and times the GOV.UK way, in London time', () => {
    expect(longDate('2027-01-08')).toBe('Friday 8 January 2027');
    expect(clockTime('2027-01-08T17:00:00Z')).toBe('5pm');
    expect(clockTime('2027-07-08T16:30:00Z')).toBe('5:30pm');
    expect(clockTime('2027-01-08T12:00:00Z')).toBe('midday');
    expect(clockTime('2027-01-08T00:00:00Z')).toBe('midnight');
    expect(when('2027-07-08T23:30:00Z')).toBe('Friday 9 July 2027 at 12:30am');
    expect(span('2027-01-08T17:00:00Z', '2027-01-09T10:00:00Z')).toBe('Friday 8 January 2027, 5pm to Saturday 9 January 2027, 10am');
  });
});
