/**
 * A coordinator lists the authority's allocation rounds newest first (by when
 * each was started, as the OpenAPI says), a page at a time, and the pages join
 * up: the rounds page and its trend chart read this list.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { ENGLAND_CALENDAR } from '../../src/domain/calendar-england.js';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { get } from '../support/api.js';
import { makeAuthority } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

describe('the list of rounds', () => {
  it('is newest first, a page at a time, whatever the rounds’ ids', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    // Five fortnightly rounds, started a fortnight apart; their ids are random, so id order is no order.
    const starts = ['2031-01-06', '2031-01-20', '2031-02-03', '2031-02-17', '2031-03-03'];
    for (const [i, start] of starts.entries()) {
      await db().allocationRound.create({
        data: {
          authorityId: authority.id, periodStart: start, periodEnd: start, seed: `list-${i}`, status: 'PUBLISHED',
          calendar: ENGLAND_CALENDAR as unknown as Prisma.InputJsonValue, createdAt: new Date(Date.parse(`${start}T09:00:00Z`) - 14 * 864e5),
        },
      });
    }
    const first = await get('/v1/allocation-rounds?limit=2', coordinatorToken);
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { periodStart: string }) => r.periodStart)).toEqual(['2031-03-03', '2031-02-17']);
    const second = await get(`/v1/allocation-rounds?limit=2&cursor=${first.body.nextCursor}`, coordinatorToken);
    expect(second.body.items.map((r: { periodStart: string }) => r.periodStart)).toEqual(['2031-02-03', '2031-01-20']);
    const third = await get(`/v1/allocation-rounds?limit=2&cursor=${second.body.nextCursor}`, coordinatorToken);
    expect(third.body.items.map((r: { periodStart: string }) => r.periodStart)).toEqual(['2031-01-06']);
    expect(third.body.nextCursor).toBeNull();
  });
});
