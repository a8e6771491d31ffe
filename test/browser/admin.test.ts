/**
 * A platform administrator, in the pages: adds a council (a code that is not
 * one shows the problem and adds nothing), sees it has no coordinator yet, and
 * invites its first from the council's page, where the invitation waits until
 * it is accepted. Both pages pass axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { mintAdminToken } from '../../src/services/people.js';
import { go, see, shot, startBrowserSession } from '../support/browser.js';
import { uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
beforeAll(async () => {
  session = await startBrowserSession('admin');
});
afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('a platform administrator', () => {
  it('adds a council and invites its first coordinator from the pages', async () => {
    const page = await session.signIn(await mintAdminToken('browser test'));
    await see(page.getByRole('heading', { level: 1 }), 'Authorities');
    const name = `Harbour City Council ${uid()}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Code').fill('h');
    await go(page.getByRole('button', { name: 'Add the authority' }));
    await see(page.getByRole('alert'), 'The code must be 2 to 30 capital letters, digits or -');
    expect(await db().authority.count({ where: { name } })).toBe(0);
    await session.expectAccessible(page, 'admin-home');

    const code = `HBR-${uid().toUpperCase()}`;
    await page.getByLabel('Code').fill(code);
    await go(page.getByRole('button', { name: 'Add the authority' }));
    await see(page.getByRole('heading', { level: 1 }), name);
    await see(page.getByRole('status'), 'Invite its first coordinator');
    await see(page.getByRole('main'), 'Nobody can sign in yet.');

    await page.getByLabel('Their name').fill('Ada Coordinator');
    await page.getByLabel('Their email address').fill(`ada-${uid()}@example.org`);
    await go(page.getByRole('button', { name: 'Send the invitation' }));
    await see(page.getByRole('status'), 'The invitation is sent by email');
    const waiting = page.getByRole('region', { name: 'Coordinators: invitations not yet accepted' });
    await see(waiting, 'Ada Coordinator');
    await session.expectAccessible(page, 'admin-authority');
    await shot(page, 'admin-authority');

    await go(page.getByRole('link', { name: 'All authorities' }));
    await see(page.getByRole('row', { name: new RegExp(code) }), 'None yet');
    await page.context().close();
  });
});
