/**
 * Browser-test plumbing shared by the files under test/browser/: Debian's
 * Chromium driven by playwright-core against a real test server, axe-core
 * checks, screenshots in test-artifacts/ (gitignored), and polling assertions.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { addDays } from '../../src/domain/london-time.js';
import { daysFromToday, nextWeekday } from './dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from './factories.js';
import { startTestServer } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = 'test-artifacts';
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const PHONE = { width: 390, height: 844 };

const POLL = { timeout: 10_000 };
/** Playwright's own `expect` lives in @playwright/test; these poll with vitest's instead. */
/** The text as rendered (innerText), or the raw text of SVG nodes, which have no innerText; whitespace collapsed. */
export const textOf = async (loc: Locator) =>
  (await loc.first().evaluate((el: { innerText?: string; textContent: string | null }) => el.innerText ?? el.textContent ?? '')).replace(/\s+/g, ' ').trim();
export const see = (loc: Locator, text: string) => expect.poll(() => textOf(loc), POLL).toContain(text);
export const seeExactly = (loc: Locator, text: string) => expect.poll(() => textOf(loc), POLL).toBe(text);
export const count = (loc: Locator, n: number) => expect.poll(() => loc.count(), POLL).toBe(n);
/** Click a link or submit button and wait for the page it leads to. */
export async function go(loc: Locator): Promise<void> {
  await Promise.all([loc.page().waitForNavigation(), loc.click()]);
}
/** Follow a link in the service navigation, opening the phone layout's Menu first when it is folded away. */
export async function nav(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await go(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }));
}
/** Fill a GOV.UK date input (its fieldset is named by its legend) with a YYYY-MM-DD date. */
export async function fillDate(scope: Page | Locator, legend: string | RegExp, iso: string): Promise<void> {
  const group = scope.getByRole('group', { name: legend, exact: typeof legend === 'string' });
  const [y, m, d] = iso.split('-') as [string, string, string];
  await group.getByLabel('Day').fill(String(Number(d)));
  await group.getByLabel('Month').fill(String(Number(m)));
  await group.getByLabel('Year').fill(y);
}
/**
 * Rows of a table whose cells do not line up: a cell without the row's bottom rule, or one sitting at another
 * height than its neighbours (a cell styled neither as a GOV.UK cell nor by the page's default drops both).
 */
export async function tableProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const problems = [];
    for (const row of document.querySelectorAll('main table tbody tr')) {
      const cells = [...row.children].filter((cell) => cell.offsetParent !== null);
      const looks = cells.map((cell) => { const style = getComputedStyle(cell); return [style.borderBottomStyle, style.borderBottomWidth, style.verticalAlign].join(' '); });
      if (new Set(looks).size > 1) problems.push((row.closest('table').getAttribute('aria-label') || row.closest('[aria-label]')?.getAttribute('aria-label') || 'a table') + ': ' + row.innerText.replace(/\s+/g, ' ').slice(0, 60) + ' — ' + looks.join(' | '));
    }
    return problems;
  })()`)) as string[];
}

/**
 * What is wrong with the page's inline-SVG charts as drawn, [] when nothing: a label that lies outside its picture
 * (the viewBox clips it), a label a line runs through (struck through), two labels on top of each other, a bar
 * reaching above the top of its axis, or a value larger than the axis's top figure.
 */
export async function chartProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const problems = [];
    const meet = (a, b) => a.x + 0.5 < b.x + b.width && b.x + 0.5 < a.x + a.width && a.y + 0.5 < b.y + b.height && b.y + 0.5 < a.y + a.height;
    for (const svg of document.querySelectorAll('svg.app-chart')) {
      const name = svg.getAttribute('aria-labelledby');
      const vb = svg.viewBox.baseVal;
      const texts = [...svg.querySelectorAll('text')].map((t) => ({ el: t, text: t.textContent, box: t.getBBox() }));
      for (const { text, box } of texts) {
        if (box.x < vb.x - 0.5 || box.y < vb.y - 0.5 || box.x + box.width > vb.x + vb.width + 0.5 || box.y + box.height > vb.y + vb.height + 0.5) problems.push(name + ': "' + text + '" lies outside the picture');
      }
      for (const line of svg.querySelectorAll('line')) {
        const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((k) => line[k].baseVal.value);
        const span = { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1) || 1, height: Math.abs(y2 - y1) || 1 };
        for (const { text, box } of texts) if (meet(span, box)) problems.push(name + ': a line runs through "' + text + '"');
      }
      for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
        if (meet(texts[i].box, texts[j].box)) problems.push(name + ': "' + texts[i].text + '" and "' + texts[j].text + '" overlap');
      }
      const axis = svg.querySelector('line.app-chart__axis');
      if (axis) {
        const top = axis.y1.baseVal.value;
        for (const bar of svg.querySelectorAll('rect')) if (bar.y.baseVal.value < top - 0.5) problems.push(name + ': a bar reaches above the axis');
      }
      const max = svg.querySelector('text.app-chart__max');
      if (max) {
        for (const v of svg.querySelectorAll('text.app-chart__value')) if (Number(v.textContent) > Number(max.textContent)) problems.push(name + ': ' + v.textContent + ' is above the axis, which stops at ' + max.textContent);
      }
    }
    return problems;
  })()`)) as string[];
}
export const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

type AxeViolation = { id: string; impact: string | null; help: string; nodes: number };

/** One browser and one server per test file; close() writes the file's axe report. */
export async function startBrowserSession(reportName: string) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing. The browser tests drive Debian's chromium: run \`bash scripts/browser.sh\` as root (npm run setup does) to install it with apt-get.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const server = await startTestServer();
  const axeReport: Record<string, AxeViolation[]> = {};

  async function signIn(token: string, viewport?: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext(viewport ? { viewport } : {});
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Access key').fill(token);
    await go(page.getByRole('button', { name: 'Sign in', exact: true }));
    await page.waitForURL((url) => url.pathname !== '/' && url.pathname !== '/sign-in');
    return page;
  }

  /** No serious or critical axe-core violations on the page as it stands, and nothing wider than the window (a phone must not scroll sideways). */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    const widths = (await page.evaluate('({ page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth })')) as { page: number; window: number };
    expect(widths.page, `${name} is wider than the ${widths.window} px window`).toBeLessThanOrEqual(widths.window);
    await page.addScriptTag({ path: AXE_SCRIPT });
    const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`)) as AxeViolation[];
    axeReport[name] = violations;
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `axe on ${name}`).toEqual([]);
  }

  async function close(): Promise<void> {
    writeFileSync(`${ARTIFACTS}/axe-${reportName}.json`, JSON.stringify(axeReport, null, 2));
    await browser.close();
    await server.close();
  }

  return { browser, server, signIn, expectAccessible, close };
}

/** One tenant: an authority, a provider with two nights ~700 days ahead, a family with one child. */
export async function browserTenant() {
  const { authority, coordinatorToken } = await makeAuthority();
  // The council runs the home (it may close it, as the closure pages do).
  const { provider, providerToken } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id });
  const { family, familyToken } = await makeFamily(authority.id);
  const child = await makeChild(family.id, authority.id, { periodStart: daysFromToday(-30), periodEnd: daysFromToday(760), nights: 24 });
  const friday = nextWeekday(daysFromToday(700), 5);
  const { slots } = await makeSlots(provider.id, { startDate: friday, untilDate: addDays(friday, 1), rrule: 'FREQ=DAILY', places: 1, reservedForAuthorityId: authority.id });
  return { authority, coordinatorToken, provider, providerToken, family, familyToken, child, friday, slots };
}
