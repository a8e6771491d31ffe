/**
 * Consultation before the plan (the West Sussex case, ../shared/seeds/002_*:
 * the council gathered every affected family's views before deciding). A
 * closure opened with `consultUntil` invites each family, shows it the homes
 * that can meet its child's needs, takes its ranking and what matters most,
 * and the plan then gives each family its ranking first. The story checks what
 * each family receives against what it ranked.
 *
 * Isolation: every place here needs TWO_TO_ONE_STAFFING and is reserved for
 * the test's own authority, on a night about two years ahead (beyond the
 * default horizon other files generate slots for), so another file's spare
 * two-to-one place cannot join the families' lists.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { runClosure } from '../../src/services/closures.js';
import { expectProblem, get, post, put } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { countsAddUp, type ClosureView } from '../support/closure-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closureViolations, strandedOffers } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';

process.env.QUEUE_PREFIX = `sbconsult${uid()}`;

afterAll(closeConnections);
const closed: string[] = [];
afterEach(async () => {
  expect(await closureViolations(closed)).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
  expect(await strandedOffers(closed)).toEqual([]);
});

const HERE = { lat: 55.6, lng: -2.1 };

type Consultation = {
  closureId: string;
  open: boolean;
  status: string;
  children: {
    childId: string;
    name: string;
    affectedDates: string[];
    alternatives: { providerId: string; name: string; travelMinutes: number | null; transport: string; dates: string[] }[];
    answer: { ranking: string[]; priority: string } | null;
    outcomes: { outcome: string; place: { providerId: string; name: string } | null; familyRank: number | null; reason: string; nextSteps: string | null }[];
  }[];
};

describe('a closure that consults the families first', () => {
  it('invites each family, takes its ranking, and gives it the home it ranked first where one fits', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, ...HERE, name: `Closing home ${uid()}` });
    closed.push(home.id);
    const { provider: near } = await makeProvider('RESIDENTIAL', { lat: HERE.lat + 0.02, lng: HERE.lng, name: `Near house ${uid()}` });
    const { provider: far } = await makeProvider('RESIDENTIAL', { lat: HERE.lat + 0.3, lng: HERE.lng, name: `Far house ${uid()}` });
    const night = daysFromToday(745);
    const places = (providerId: string, n: number) =>
      makeSlots(providerId, { startDate: night, untilDate: night, places: n, capabilities: ['TWO_TO_ONE_STAFFING'], reservedForAuthorityId: authority.id }).then((r) => r.slots[0]!);
    const closing = await places(home.id, 3);
    const nearSlot = await places(near.id, 1);
    const farSlot = await places(far.id, 2);
    const families = await Promise.all(
      [['TWO_TO_ONE_STAFFING'], ['TWO_TO_ONE_STAFFING'], ['TWO_TO_ONE_STAFFING', 'OXYGEN']].map(async (needs) => {
        const { family, familyToken } = await makeFamily(authority.id, { lat: HERE.lat + 0.01, lng: HERE.lng });
        const child = await makeChild(family.id, authority.id, { needs: needs as ('TWO_TO_ONE_STAFFING' | 'OXYGEN')[] });
        return { family, familyToken, child, booking: await insertBooking(closing, child) };
      }),
    );
    const [amy, ben, cal] = families as [(typeof families)[0], (typeof families)[0], (typeof families)[0]];
    const outsider = await makeFamily((await makeAuthority()).authority.id);

    // Without the families' views the planner would put one child at the nearer home (the plan's own order).
    const body = { effectiveFrom: daysFromToday(20), reason: 'The lease ends', seed: 'consult' };
    const plain = await post(`/v1/providers/${home.id}/closure/preview`, coordinatorToken, body);
    expect(plain.status).toBe(200);
    expect(plain.body.children.flatMap((c: { reasons: string[] }) => c.reasons).join(' ')).toContain(near.name);

    // The consultation must end before the home closes.
    expectProblem(await post(`/v1/providers/${home.id}/closure`, coordinatorToken, { ...body, confirm: true, consultUntil: daysFromToday(25) }), 400, 'VALIDATION_FAILED');
    const opened = await post<ClosureView & { consultation: any }>(`/v1/providers/${home.id}/closure`, coordinatorToken, { ...body, confirm: true, consultUntil: daysFromToday(10) });
    expect(opened.status).toBe(202);
    expect(opened.body.status).toBe('CONSULTING');
    const id = opened.body.id;
    expect(opened.body.consultation).toMatchObject({ open: true, families: 3, children: 3, responded: { families: 0, children: 0 }, decision: null });
    // Nothing is planned while the families are asked: a stray job leaves it as it is.
    expect(await runClosure(id)).toEqual({ status: 'CONSULTING', applied: 0 });
    expect(await db().rehomingOutcome.count({ where: { closureId: id } })).toBe(0);
    expect(await db().jobOutbox.count({ where: { jobId: `closure-${id}` } })).toBe(0);

    // Each family is told which home closes from when, with a link to its page.
    for (const f of families) {
      const note = await db().notification.findFirstOrThrow({ where: { kind: 'CONSULTATION_INVITATION', recipientId: f.family.id } });
      expect(note).toMatchObject({ link: `/family/consultations/${id}`, payload: { closureId: id, childId: f.child.id } });
      expect(note.subject).toContain(home.name);
    }

    // Amy's family sees the two homes that meet her needs, nearest first, with journey, transport and dates.
    const seen = await get<Consultation>(`/v1/closures/${id}/consultation`, amy.familyToken);
    expect(seen.status).toBe(200);
    const amyView = seen.body.children.find((c) => c.childId === amy.child.id)!;
    expect(seen.body.children.map((c) => c.childId)).toEqual([amy.child.id]);
    expect(amyView.affectedDates).toEqual([night]);
    expect(amyView.alternatives.map((a) => a.providerId)).toEqual([near.id, far.id]);
    expect(amyView.alternatives[0]).toMatchObject({ dates: [night], transport: expect.any(String), travelMinutes: expect.any(Number) });
    expect(amyView.alternatives[0]!.travelMinutes!).toBeLessThan(amyView.alternatives[1]!.travelMinutes!);
    // No home can meet Cal's oxygen: he is shown none.
    expect((await get<Consultation>(`/v1/closures/${id}/consultation`, cal.familyToken)).body.children[0]!.alternatives).toEqual([]);

    // Refusals: another family learns nothing, a coordinator cannot answer for a family, only listed homes may be ranked.
    expectProblem(await get(`/v1/closures/${id}/consultation`, outsider.familyToken), 404);
    expectProblem(await put(`/v1/closures/${id}/consultation/${amy.child.id}`, outsider.familyToken, { ranking: [far.id], priority: 'SAME_FRIENDS' }), 404);
    expectProblem(await put(`/v1/closures/${id}/consultation/${amy.child.id}`, coordinatorToken, { ranking: [far.id], priority: 'SAME_FRIENDS' }), 403);
    const wrong = expectProblem(await put(`/v1/closures/${id}/consultation/${amy.child.id}`, amy.familyToken, { ranking: [far.id, home.id], priority: 'SAME_FRIENDS' }), 422);
    expect(wrong.errors?.map((e) => e.path)).toEqual(['body.ranking.1']);
    expectProblem(await put(`/v1/closures/${id}/consultation/${amy.child.id}`, amy.familyToken, { ranking: [far.id, far.id], priority: 'SAME_FRIENDS' }), 400, 'VALIDATION_FAILED');
    expectProblem(await put(`/v1/closures/${id}/consultation/${amy.child.id}`, amy.familyToken, { ranking: [far.id], priority: 'NEAREST' }), 400, 'VALIDATION_FAILED');

    // Both families want the far house (their children go together); Amy's says so twice, the second answer counts.
    expect((await put(`/v1/closures/${id}/consultation/${amy.child.id}`, amy.familyToken, { ranking: [near.id], priority: 'SHORTEST_JOURNEY' })).status).toBe(200);
    const amyAnswer = await put<Consultation>(`/v1/closures/${id}/consultation/${amy.child.id}`, amy.familyToken, { ranking: [far.id, near.id], priority: 'SAME_FRIENDS', note: 'She goes with Ben' });
    expect(amyAnswer.body.children[0]!.answer).toMatchObject({ ranking: [far.id, near.id], priority: 'SAME_FRIENDS' });
    expect((await put(`/v1/closures/${id}/consultation/${ben.child.id}`, ben.familyToken, { ranking: [far.id, near.id], priority: 'SAME_FRIENDS' })).status).toBe(200);

    // Before the deadline the coordinator may go ahead only once every family has answered.
    expect(expectProblem(await post(`/v1/closures/${id}/proceed`, coordinatorToken, { confirm: true }), 409).detail).toMatch(/1 of 3/);
    expect((await put(`/v1/closures/${id}/consultation/${cal.child.id}`, cal.familyToken, { ranking: [], priority: 'SAME_DATES' })).status).toBe(200);
    const waiting = (await get<ClosureView & { consultation: any }>(`/v1/closures/${id}`, coordinatorToken)).body.consultation;
    expect(waiting).toMatchObject({ responded: { families: 3, children: 3 }, decision: null });
    expect(waiting.answers.find((a: { childId: string }) => a.childId === amy.child.id)).toMatchObject({ ranking: [far.id, near.id], priority: 'SAME_FRIENDS', note: 'She goes with Ben' });

    // The preview with the families' rankings: both go to the far house, Cal has no place.
    const preview = await post(`/v1/closures/${id}/preview`, coordinatorToken);
    expect(preview.status).toBe(200);
    expect(preview.body.expected).toEqual({ MOVED: 2, OFFERED: 0, PENDING_TRAINING: 0, WAITLISTED: 1 });
    expect(preview.body.children.flatMap((c: { reasons: string[] }) => c.reasons).filter((r: string) => r.includes(far.name) && r.includes("family's first choice"))).toHaveLength(2);
    expect(await db().rehomingOutcome.count({ where: { closureId: id } })).toBe(0);

    const unconfirmed = expectProblem(await post(`/v1/closures/${id}/proceed`, coordinatorToken, {}), 422, 'UNPROCESSABLE');
    expect(unconfirmed.errors?.map((e) => e.path)).toEqual(['body.confirm']);
    expect((await db().closure.findUniqueOrThrow({ where: { id } })).status).toBe('CONSULTING');
    const proceeded = await post<ClosureView>(`/v1/closures/${id}/proceed`, coordinatorToken, { confirm: true });
    expect(proceeded.status).toBe(202);
    expect(proceeded.body.status).toBe('QUEUED');
    // The families' rankings stay on the record once the consultation is closed, before the plan is made.
    expect((proceeded.body as ClosureView & { consultation: any }).consultation.answers.map((a: { childId: string }) => a.childId).sort()).toEqual([amy, ben, cal].map((f) => f.child.id).sort());
    expectProblem(await post(`/v1/closures/${id}/proceed`, coordinatorToken, { confirm: true }), 409);
    // The consultation is closed: answers are no longer taken.
    expectProblem(await put(`/v1/closures/${id}/consultation/${ben.child.id}`, ben.familyToken, { ranking: [near.id], priority: 'SHORTEST_JOURNEY' }), 409, 'CONFLICT');

    await runClosure(id);
    const done = (await get<ClosureView & { consultation: any }>(`/v1/closures/${id}`, coordinatorToken)).body;
    expect(done.status).toBe('COMPLETED');
    expect(countsAddUp(done)).toBe(true);
    // What each family receives against what it ranked.
    for (const f of [amy, ben]) {
      const o = done.outcomes.find((x) => x.childId === f.child.id)!;
      expect(o).toMatchObject({ outcome: 'MOVED', toSlotId: farSlot.id });
      expect(o.detail.familyRank).toBe(1);
      expect(o.reason).toContain("the family's first choice");
      const page = (await get<Consultation>(`/v1/closures/${id}/consultation`, f.familyToken)).body.children[0]!;
      expect(page.outcomes).toEqual([expect.objectContaining({ outcome: 'MOVED', place: expect.objectContaining({ providerId: far.id, name: far.name }), familyRank: 1, nextSteps: null })]);
    }
    expect((await db().slot.findUniqueOrThrow({ where: { id: nearSlot.id } })).booked).toBe(0);
    // Cal could not be placed: his family sees why and what happens next; the decision record says so too.
    const calPage = (await get<Consultation>(`/v1/closures/${id}/consultation`, cal.familyToken)).body.children[0]!;
    expect(calPage.outcomes).toEqual([expect.objectContaining({ outcome: 'WAITLISTED', place: null, familyRank: null })]);
    expect(calPage.outcomes[0]!.reason).toMatch(/OXYGEN/);
    expect(calPage.outcomes[0]!.nextSteps).toMatch(/first in line/);
    expect(done.consultation.answers.find((a: { childId: string }) => a.childId === amy.child.id)).toMatchObject({ ranking: [far.id, near.id], priority: 'SAME_FRIENDS' });
    expect(done.consultation.decision).toEqual({
      childrenPlanned: 3,
      respondedChildren: 3,
      firstChoice: 2,
      firstChoiceRate: 2 / 3,
      withoutPlace: [{ childId: cal.child.id, name: `${cal.child.firstName} ${cal.child.lastName}`, reasons: [expect.stringMatching(/OXYGEN/)] }],
    });
    // Each family's list names the consultation.
    const list = await get<{ items: { closureId: string; childIds: string[]; open: boolean }[] }>('/v1/consultations', amy.familyToken);
    expect(list.body.items).toEqual([expect.objectContaining({ closureId: id, childIds: [amy.child.id], open: false })]);
    expect((await get<{ items: unknown[] }>('/v1/consultations', outsider.familyToken)).body.items.filter((i: any) => i.closureId === id)).toEqual([]);
  });
});
