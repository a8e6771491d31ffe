/**
 * Direct bookings: a coordinator books, everyone reads what they may,
 * cancellation keeps the booking and its history (invariant 4) and offers the
 * freed place to the waitlist, and a retried POST with the same Idempotency-Key
 * creates nothing new (invariant 6).
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { resolveToken } from '../../src/services/tokens.js';
import { call, expectProblem, get, post, type ApiResponse } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

async function setup() {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL');
  const a = await makeFamilyWithChild(authority.id);
  const slot = await makeSlot(provider.id, daysFromToday(35), { places: 2 });
  return { authority, coordinatorToken, provider, providerToken, a, slot };
}

describe('POST /v1/bookings', () => {
  it('books a child, counts the place and records who did it', async () => {
    const { authority, coordinatorToken, provider, a, slot } = await setup();
    const res = await post('/v1/bookings', coordinatorToken, { childId: a.child.id, slotId: slot.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      childId: a.child.id,
      slotId: slot.id,
      providerId: provider.id,
      providerName: provider.name,
      authorityId: authority.id,
      status: 'CONFIRMED',
      source: 'MANUAL',
      startsAt: slot.startsAt.toISOString(),
      endsAt: slot.endsAt.toISOString(),
      nights: 1,
      replacesBookingId: null,
      cancelledAt: null,
      warnings: [],
    });
    expect((await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).booked).toBe(1);

    const detail = await get(`/v1/bookings/${res.body.id}`, coordinatorToken);
    expect(detail.status).toBe(200);
    expect(detail.body.history).toEqual([expect.objectContaining({ action: 'booking.created', actorRole: 'COORDINATOR', before: null })]);
    expect(detail.body.history[0].after).toMatchObject({ status: 'CONFIRMED', slotId: slot.id, childId: a.child.id });
  });

  it('rejects bad input before the database (400), unknown children or slots (404) and another child\'s request (422)', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const bad = expectProblem(await post('/v1/bookings', coordinatorToken, { childId: 'nope', slotId: slot.id, extra: 1 }), 400, 'VALIDATION_FAILED');
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(['body.childId', 'body.extra']);
    expectProblem(await post('/v1/bookings', coordinatorToken, { childId: crypto.randomUUID(), slotId: slot.id }), 404, 'NOT_FOUND');
    expectProblem(await post('/v1/bookings', coordinatorToken, { childId: a.child.id, slotId: crypto.randomUUID() }), 404, 'NOT_FOUND');
    // A request id must be one of this child's requests.
    const other = await makeFamilyWithChild(a.child.authorityId);
    const request = await post('/v1/requests', coordinatorToken, { childId: other.child.id, periodStart: daysFromToday(30), periodEnd: daysFromToday(60), preferences: [{ kind: 'SLOT', slotId: slot.id }] });
    expect(request.status).toBe(201);
    expectProblem(await post('/v1/bookings', coordinatorToken, { childId: a.child.id, slotId: slot.id, requestId: request.body.id }), 422, 'UNPROCESSABLE');
    const linked = await post('/v1/bookings', coordinatorToken, { childId: other.child.id, slotId: slot.id, requestId: request.body.id });
    expect(linked.body).toMatchObject({ status: 'CONFIRMED', requestId: request.body.id });
    expect(await db().booking.count({ where: { childId: a.child.id } })).toBe(0);
  });

  it('lists bookings with filters and pages', async () => {
    const { authority, coordinatorToken, provider, a, slot } = await setup();
    const b = await makeFamilyWithChild(authority.id);
    const later = await makeSlot(provider.id, daysFromToday(38));
    const first = await book(coordinatorToken, a.child.id, slot.id);
    const second = await book(coordinatorToken, b.child.id, slot.id);
    const third = await book(coordinatorToken, a.child.id, later.id);

    const byChild = await get(`/v1/bookings?childId=${a.child.id}`, coordinatorToken);
    expect(byChild.body.items.map((x: { id: string }) => x.id).sort()).toEqual([first.id, third.id].sort());
    const byDate = await get(`/v1/bookings?providerId=${provider.id}&from=${daysFromToday(36)}&to=${daysFromToday(40)}`, coordinatorToken);
    expect(byDate.body.items.map((x: { id: string }) => x.id)).toEqual([third.id]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await get(`/v1/bookings?providerId=${provider.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, coordinatorToken);
      seen.push(...page.body.items.map((x: { id: string }) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([first.id, second.id, third.id].sort());
  });
});

describe('cancellation', () => {
  it('lets the family cancel its own booking: status changes, history and audit are kept, the place goes to the waitlist', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const booking = await book(coordinatorToken, a.child.id, slot.id);

    const res = await post(`/v1/bookings/${booking.id}/cancel`, a.familyToken, { reason: 'Poorly with a cold' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: booking.id, status: 'CANCELLED', cancelReason: 'Poorly with a cold' });
    expect(res.body.cancelledAt).not.toBeNull();

    const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
    expect(row).toMatchObject({ status: 'CANCELLED', cancelledByRole: 'FAMILY' });
    expect((await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).booked).toBe(0);

    const detail = await get(`/v1/bookings/${booking.id}`, a.familyToken);
    expect(detail.body.status).toBe('CANCELLED');
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(['booking.created', 'booking.cancelled']);
    expect(detail.body.history[1]).toMatchObject({ actorRole: 'FAMILY', before: { status: 'CONFIRMED' }, after: { status: 'CANCELLED', reason: 'Poorly with a cold' } });

    // The freed place is offered by a job recorded in the same transaction.
    const job = await db().jobOutbox.findFirst({ where: { jobId: `promote-${slot.id}-freed-${booking.id}` } });
    expect(job).toMatchObject({ queue: 'waitlist', name: 'promoteWaitlist' });

    // Still listed (history is never lost), and cannot be cancelled twice.
    expect((await get(`/v1/bookings?childId=${a.child.id}&status=CANCELLED`, a.familyToken)).body.items).toHaveLength(1);
    expectProblem(await post(`/v1/bookings/${booking.id}/cancel`, a.familyToken), 409, 'CONFLICT');
  });

  it('uses a default reason when no body is sent, and lets the coordinator cancel', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const booking = await book(coordinatorToken, a.child.id, slot.id);
    const res = await post(`/v1/bookings/${booking.id}/cancel`, coordinatorToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'Cancelled' });
  });

  it('lets the provider cancel bookings in its own slots only', async () => {
    const { coordinatorToken, providerToken, a, slot } = await setup();
    const booking = await book(coordinatorToken, a.child.id, slot.id);
    const otherProvider = await makeProvider('RESIDENTIAL');
    expectProblem(await post(`/v1/bookings/${booking.id}/cancel`, otherProvider.providerToken, { reason: 'Not ours' }), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/bookings/${booking.id}`, otherProvider.providerToken), 404, 'NOT_FOUND');

    expect((await get(`/v1/bookings/${booking.id}`, providerToken)).status).toBe(200);
    const res = await post(`/v1/bookings/${booking.id}/cancel`, providerToken, { reason: 'Staff shortage' });
    expect(res.status).toBe(200);
    const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
    expect(row).toMatchObject({ status: 'CANCELLED', cancelledByRole: 'PROVIDER', cancelReason: 'Staff shortage' });
    const history = (await get(`/v1/bookings/${booking.id}`, coordinatorToken)).body.history;
    expect(history.at(-1)).toMatchObject({ action: 'booking.cancelled', actorRole: 'PROVIDER' });
  });

  it('does not let a family cancel a break that has started', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const booking = await book(coordinatorToken, a.child.id, slot.id);
    await db().booking.update({ where: { id: booking.id }, data: { startsAt: new Date(Date.now() - 60_000) } });
    expectProblem(await post(`/v1/bookings/${booking.id}/cancel`, a.familyToken), 409, 'CONFLICT');
    expect((await post(`/v1/bookings/${booking.id}/cancel`, coordinatorToken)).status).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for a retry with the same key and body, and creates no second booking', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const key = `book-${uid()}`;
    const body = { childId: a.child.id, slotId: slot.id };
    const first = await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();

    const retry = await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await db().booking.count({ where: { childId: a.child.id } })).toBe(1);
    expect((await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).booked).toBe(1);
  });

  it('refuses the same key with a different body (422) and creates nothing', async () => {
    const { authority, coordinatorToken, a, slot } = await setup();
    const b = await makeFamilyWithChild(authority.id);
    const key = `book-${uid()}`;
    expect((await post('/v1/bookings', coordinatorToken, { childId: a.child.id, slotId: slot.id }, { 'Idempotency-Key': key })).status).toBe(201);
    expectProblem(await post('/v1/bookings', coordinatorToken, { childId: b.child.id, slotId: slot.id }, { 'Idempotency-Key': key }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await db().booking.count({ where: { childId: b.child.id } })).toBe(0);
  });

  it('replays a refusal rather than trying again, and a cancellation rather than answering 409', async () => {
    const { authority, coordinatorToken, a, slot } = await setup();
    const b = await makeFamilyWithChild(authority.id, { needs: ['VENTILATION'] });
    const key = `book-${uid()}`;
    const refused = await post('/v1/bookings', coordinatorToken, { childId: b.child.id, slotId: slot.id }, { 'Idempotency-Key': key });
    expect(refused.status).toBe(422);
    const again = await post('/v1/bookings', coordinatorToken, { childId: b.child.id, slotId: slot.id }, { 'Idempotency-Key': key });
    expect(again.status).toBe(422);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body).toEqual(refused.body);

    const booking = await book(coordinatorToken, a.child.id, slot.id);
    const cancelKey = `cancel-${uid()}`;
    const cancel = () => call('POST', `/v1/bookings/${booking.id}/cancel`, { token: a.familyToken, body: { reason: 'Holiday' }, headers: { 'Idempotency-Key': cancelKey } });
    const first = await cancel();
    const retry = await cancel();
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await db().auditEvent.count({ where: { bookingId: booking.id, action: 'booking.cancelled' } })).toBe(1);
  });

  it('stamps the key inside the booking transaction, so a retry after the answer was lost does not book twice', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const principalId = (await resolveToken(coordinatorToken))!.tokenId;
    const key = `lost-${uid()}`;
    const body = { childId: a.child.id, slotId: slot.id };
    expect((await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key })).status).toBe(201);
    const record = await db().idempotencyRecord.findUniqueOrThrow({ where: { principalId_key: { principalId, key } } });
    expect(record.effectCommittedAt).not.toBeNull();

    // The process died after the commit but before storing the answer: the claim is left in progress.
    const abandonedAt = new Date(Date.now() - 180_000);
    await db().idempotencyRecord.update({ where: { principalId_key: { principalId, key } }, data: { status: 0, response: {}, createdAt: abandonedAt } });
    const retry = await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key });
    expect(expectProblem(retry, 409, 'CONFLICT').detail).toMatch(/made its changes, but its answer was lost/);
    expect((await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key })).status).toBe(409);
    expect(await db().booking.count({ where: { childId: a.child.id } })).toBe(1);
  });

  it('frees an abandoned key whose first attempt committed nothing, and a refusal leaves no stamp', async () => {
    const { authority, coordinatorToken, a, slot } = await setup();
    const principalId = (await resolveToken(coordinatorToken))!.tokenId;
    const key = `abandoned-${uid()}`;
    const body = { childId: a.child.id, slotId: slot.id };
    const requestHash = createHash('sha256').update(`POST /v1/bookings\n${JSON.stringify(body)}`).digest('hex');
    await db().idempotencyRecord.create({ data: { principalId, key, requestHash, status: 0, response: {}, createdAt: new Date(Date.now() - 180_000) } });
    expectProblem(await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key }), 409, 'IDEMPOTENCY_KEY_IN_USE');
    expect((await post('/v1/bookings', coordinatorToken, body, { 'Idempotency-Key': key })).status).toBe(201);

    const b = await makeFamilyWithChild(authority.id, { needs: ['VENTILATION'] });
    const refusedKey = `refused-${uid()}`;
    expect((await post('/v1/bookings', coordinatorToken, { childId: b.child.id, slotId: slot.id }, { 'Idempotency-Key': refusedKey })).status).toBe(422);
    expect((await db().idempotencyRecord.findUniqueOrThrow({ where: { principalId_key: { principalId, key: refusedKey } } })).effectCommittedAt).toBeNull();
  });

  it('scopes keys to the caller: another coordinator may use the same key', async () => {
    const { coordinatorToken, a, slot } = await setup();
    const other = await makeAuthority();
    const theirs = await makeFamilyWithChild(other.authority.id);
    const key = `shared-${uid()}`;
    expect((await post('/v1/bookings', coordinatorToken, { childId: a.child.id, slotId: slot.id }, { 'Idempotency-Key': key })).status).toBe(201);
    const res = await post('/v1/bookings', other.coordinatorToken, { childId: theirs.child.id, slotId: slot.id }, { 'Idempotency-Key': key });
    expect(res.status).toBe(201);
    expect(res.headers.get('Idempotent-Replayed')).toBeNull();
  });
});
