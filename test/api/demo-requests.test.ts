/**
 * The demo's next round is not empty: `npm start` files open
 * requests through createRequest, and a round over that period places children.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PROVIDER_NAMES, seedDemoCounty } from '../../fixtures/demo-county.js';
import { nextRoundPeriod, seedDemoRequests } from '../../fixtures/demo-requests.js';
import { db } from '../../src/db.js';
import { getRound, runRound, startRound } from '../../src/services/allocation-rounds.js';
import { mintToken, resolveToken } from '../../src/services/tokens.js';
import { uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

describe('demo requests', { timeout: 180_000 }, () => {
  it('files open requests for the next round, which a round then allocates', async () => {
    const code = `DR${uid()}`;
    const since = new Date(Date.now() - 1000);
    await seedDemoCounty({ families: 30, code, seed: 'demo-requests' });
    const authority = await db().authority.findFirstOrThrow({ where: { code } });
    // Its places kept for its own children, so other test files' children never land in them (nor see them as free).
    const providerIds = (await db().provider.findMany({ where: { createdAt: { gte: since }, name: { in: [...DEMO_PROVIDER_NAMES] } }, select: { id: true } })).map((p) => p.id);
    await db().capacityRule.updateMany({ where: { providerId: { in: providerIds } }, data: { reservedForAuthorityId: authority.id } });
    await db().slot.updateMany({ where: { providerId: { in: providerIds } }, data: { reservedForAuthorityId: authority.id } });
    const coordinator = await resolveToken(await mintToken({ role: 'COORDINATOR', authorityId: authority.id }));
    if (coordinator?.role !== 'COORDINATOR') throw new Error('no coordinator');
    const filed = await seedDemoRequests(coordinator);
    expect(filed).toBeGreaterThan(5);
    expect(await db().breakRequest.count({ where: { authorityId: authority.id, status: 'OPEN' } })).toBe(filed);
    const round = await startRound(coordinator, { ...nextRoundPeriod(), seed: 'demo' });
    await runRound(round.id);
    const done = await getRound(coordinator, round.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.bookings).toBeGreaterThan(0);
  });
});
