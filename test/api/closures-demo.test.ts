/**
 * The seed case (../shared/seeds/002_*) end to end on the demo county: two
 * residential short-break homes close, one after the other, through the API and
 * the BullMQ worker. Every affected booking ends with exactly one outcome, the
 * counts add up, no hard constraint is broken, complex-health children only go
 * where their needs are met, transport never exceeds a vehicle, history is
 * kept, the passport travels and everyone is notified.
 *
 * Isolation: the county is seeded as if "today" were DAY0 days ahead, so its
 * places (open to any council for the moment between seeding and being kept
 * for the county's own children) exist only on dates the other test files do
 * not use; its bookings are made over the three weeks from DAY0. The slot
 * horizon is left at its default: this file's workers may take other files'
 * slot-generation jobs from the shared outbox, and with a shorter horizon they
 * would withdraw those rules' later slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCounty } from '../../fixtures/demo-county.js';
import { db } from '../../src/db.js';
import { COMPLEX_HEALTH_NEEDS, PLACE_REQUIRED_NEEDS, type CareNeed } from '../../src/domain/care-needs.js';
import { londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { mintToken } from '../../src/services/tokens.js';
import { startWorkers, type WorkerHandle } from '../../workers/index.js';
import { call, get, post } from '../support/api.js';
import { addJob } from '../../src/jobs/queues.js';
import { closeProvider, countsAddUp, providerTokenFor, transportViolations, waitForClosure, type ClosureView } from '../support/closure-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { uid } from '../support/factories.js';
import { closureViolations, invariantViolations, strandedOffers } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';

process.env.QUEUE_PREFIX = `sbdemo${uid()}`;

let workers: WorkerHandle | undefined;
beforeAll(async () => {
  workers = await startWorkers({ sweepMs: 200 });
});
const seededProviders: string[] = [];
afterAll(async () => {
  await workers?.stop();
  // The county's rules are open-ended: retire them, so later workers do not extend their horizon for ever.
  await db().capacityRule.updateMany({ where: { providerId: { in: seededProviders } }, data: { active: false } });
  await closeConnections();
});

const DEMO_PROVIDERS = [
  'Cissbury Lodge', 'Orchard House', 'Beech Tree House', 'Harbour View', 'Weald Short Breaks Unit', 'Downsview',
  'Saturday Sensory Club', 'Crawley Youth Inclusion', 'Chichester Play Scheme', 'Horsham Holiday Club', 'Bognor Swim and Splash',
  'Heath Adventure Days', 'Burgess Hill After School', 'Grinstead Gardeners', 'Littlehampton Beach Club', 'Midhurst Youth Theatre',
  'Shared Care Downland', 'Link Families West',
];
// A chained closure: Cissbury Lodge closes, its plan offers places at Weald, then Weald closes from the same date.
const CLOSING = ['Cissbury Lodge', 'Weald Short Breaks Unit'];
const DAY0 = 300;
const LIVE = ['ALLOCATED', 'CONFIRMED', 'ATTENDED', 'NO_SHOW'] as const;
const isComplex = (n: string) => (COMPLEX_HEALTH_NEEDS as readonly string[]).includes(n);
const placeNeeds = (needs: string[]) => needs.filter((n) => (PLACE_REQUIRED_NEEDS as readonly string[]).includes(n));

/** The demo county, its homes' places kept for its own children (a block contract), so other tests' children never land in them. */
async function demoCounty() {
  const summary = await seedDemoCounty({ families: 45, code: `DL${uid()}`, seed: 'closure-e2e', today: new Date(Date.now() + DAY0 * 864e5) });
  const authorityId = summary.authorityId;
  // By id: another file may seed a county of the same names at the same moment.
  const providers = await db().provider.findMany({ where: { id: { in: summary.providerIds } } });
  expect(providers).toHaveLength(DEMO_PROVIDERS.length);
  const providerIds = providers.map((p) => p.id);
  seededProviders.push(...providerIds);
  await db().capacityRule.updateMany({ where: { providerId: { in: providerIds } }, data: { reservedForAuthorityId: authorityId } });
  await db().slot.updateMany({ where: { providerId: { in: providerIds } }, data: { reservedForAuthorityId: authorityId } });
  const coordinatorToken = await mintToken({ role: 'COORDINATOR', authorityId });
  const byName = (name: string) => providers.find((p) => p.name === name)!;
  return { authorityId, coordinatorToken, providers, byName };
}

/**
 * Fill the two homes over three weeks through POST /v1/bookings:
 * complex-health beds with complex-health children first, ordinary beds with
 * the rest (wheelchair users included), at most one night in three per child.
 */
async function bookTheHomes(authorityId: string, coordinatorToken: string, homeIds: string[]) {
  const children = await db().child.findMany({ where: { authorityId }, include: { entitlements: true }, orderBy: { id: 'asc' } });
  const nightsLeft = new Map(children.map((c) => [c.id, c.entitlements.reduce((n, e) => n + e.nights, 0)]));
  const lastNight = new Map<string, number>();
  const slots = await db().slot.findMany({
    where: { providerId: { in: homeIds }, localDate: { gte: daysFromToday(DAY0 + 1), lte: daysFromToday(DAY0 + 21) } },
    orderBy: [{ localDate: 'asc' }, { id: 'asc' }],
  });
  const booked: { id: string; childId: string; slotId: string; providerId: string; startsAt: Date }[] = [];
  let turn = 0;
  for (const slot of slots) {
    const day = Math.round((slot.startsAt.getTime() - Date.now()) / 864e5);
    const complexBed = slot.capabilities.some(isComplex);
    // Ordinary beds: leave a place free; complex-health beds: fill them.
    const want = complexBed ? slot.capacity : slot.capacity - 1;
    const fits = children.filter((c) => {
      const needs = placeNeeds(c.needs);
      if (complexBed ? !needs.some(isComplex) && !needs.includes('HOIST') : needs.some((n) => !slot.capabilities.includes(n as CareNeed))) return false;
      return (nightsLeft.get(c.id) ?? 0) > 0 && day - (lastNight.get(c.id) ?? -99) >= 3;
    });
    let placed = 0;
    for (let i = 0; i < fits.length && placed < want; i++) {
      const child = fits[(turn + i) % fits.length]!;
      const res = await post('/v1/bookings', coordinatorToken, { childId: child.id, slotId: slot.id });
      if (res.status !== 201) continue;
      placed++;
      nightsLeft.set(child.id, nightsLeft.get(child.id)! - 1);
      lastNight.set(child.id, day);
      booked.push({ id: res.body.id, childId: child.id, slotId: slot.id, providerId: slot.providerId, startsAt: slot.startsAt });
    }
    turn += 3;
  }
  return { children, booked };
}

interface Answer {
  ranking: string[];
  priority: string;
}

const PRIORITIES = ['SAME_DATES', 'SHORTEST_JOURNEY', 'SAME_FRIENDS', 'KEEP_CARER'] as const;

/**
 * Every affected family answers through the API, as families would: most rank
 * the homes nearest first, every third puts its second-nearest first (friends
 * there, a school run), and each says what matters most in turn.
 */
async function answerAsFamilies(closureId: string, children: { id: string; familyId: string }[]): Promise<Map<string, Answer>> {
  const answers = new Map<string, Answer>();
  const families = [...new Set(children.map((c) => c.familyId))].sort();
  let turn = 0;
  for (const familyId of families) {
    const token = await mintToken({ role: 'FAMILY', familyId });
    const res = await get(`/v1/closures/${closureId}/consultation`, token);
    if (res.status === 404) continue;
    expect(res.status).toBe(200);
    for (const child of res.body.children as { childId: string; alternatives: { providerId: string }[] }[]) {
      const ranking = child.alternatives.map((a) => a.providerId);
      if (turn % 3 === 2 && ranking.length > 1) ranking.splice(0, 2, ranking[1]!, ranking[0]!);
      const answer = { ranking, priority: PRIORITIES[turn % PRIORITIES.length]! };
      turn++;
      const put = await call('PUT', `/v1/closures/${closureId}/consultation/${child.childId}`, { token, body: answer });
      expect(put.status).toBe(200);
      answers.set(child.childId, answer);
    }
  }
  return answers;
}

/** A place meets a child's needs: capabilities, or for a family-based break a carer trained for the whole stay. */
async function unmetNeedsAt(childNeeds: string[], slotId: string): Promise<string[]> {
  const slot = await db().slot.findUniqueOrThrow({ where: { id: slotId }, include: { provider: true, carer: { include: { training: true } } } });
  const unmet = [];
  for (const need of placeNeeds(childNeeds)) if (await needUnmet(need)) unmet.push(need);
  return unmet;
  async function needUnmet(need: string): Promise<boolean> {
    if (slot.provider.kind === 'FAMILY_BASED' && isComplex(need)) {
      return !(slot.carer?.training ?? []).some((t) => t.need === need && t.completedOn <= slot.startsAt && t.expiresOn >= slot.endsAt);
    }
    if (slot.capabilities.includes(need as CareNeed)) return false;
    // A home upgrade in force on the date meets it too (its limit per night is the invariant query's to check).
    return (await db().providerUpgrade.count({ where: { providerId: slot.providerId, need: need as CareNeed, fromDate: { lte: slot.localDate } } })) === 0;
  }
}

async function liveAt(providerId: string, from: Date) {
  return db().booking.findMany({ where: { slot: { providerId }, startsAt: { gte: from }, status: { in: ['ALLOCATED', 'CONFIRMED'] } }, select: { id: true } });
}

describe('closing two residential homes in the demo county (the seed case)', () => {
  it('re-homes or accounts for every affected booking, within every hard constraint', async () => {
    // Where the time goes, printed as it passes: when the test is slow on a busy machine, this says which step.
    const began = performance.now();
    const phase = (name: string) => console.log(`closures-demo: ${name} after ${Math.round((performance.now() - began) / 1000)} s`);
    const county = await demoCounty();
    phase('county seeded');
    const { authorityId, coordinatorToken } = county;
    const homes = CLOSING.map(county.byName);
    const { children, booked } = await bookTheHomes(authorityId, coordinatorToken, homes.map((h) => h.id));
    phase(`${booked.length} bookings made`);
    const childById = new Map(children.map((c) => [c.id, c]));

    const effectiveFrom = daysFromToday(DAY0 + 2);
    const effectiveInstant = londonWallTimeToInstant(effectiveFrom, '00:00');
    const bookedChildren = new Set(booked.map((b) => b.childId));
    // A real mix: complex-health children in complex-health beds, wheelchair users who need transport, bookings before the date.
    expect(booked.length).toBeGreaterThan(60);
    expect([...bookedChildren].filter((id) => childById.get(id)!.needs.some(isComplex)).length).toBeGreaterThan(2);
    expect([...bookedChildren].filter((id) => childById.get(id)!.needs.includes('WHEELCHAIR') && childById.get(id)!.needsTransport).length).toBeGreaterThan(0);
    expect(booked.filter((b) => b.startsAt < effectiveInstant).length).toBeGreaterThan(0);

    // What every child had before: all their booking rows, and how many are live.
    const rowsBefore = await db().booking.findMany({ where: { authorityId } });
    const liveBefore = new Map<string, number>();
    for (const b of rowsBefore) if ((LIVE as readonly string[]).includes(b.status)) liveBefore.set(b.childId, (liveBefore.get(b.childId) ?? 0) + 1);

    // The West Sussex actions: a home that stays open is upgraded for the complex need most of the affected
    // children have, and the first closure reserves a standing place at another home that stays open.
    const needCounts = new Map<string, number>();
    for (const id of bookedChildren) for (const n of childById.get(id)!.needs.filter(isComplex)) needCounts.set(n, (needCounts.get(n) ?? 0) + 1);
    const upgradeNeed = [...needCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    const upgraded = county.byName('Orchard House');
    const upgrade = await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, { need: upgradeNeed, places: 2, from: effectiveFrom, note: 'Nursing cover at night' });
    expect(upgrade.status).toBe(201);
    const standingHome = county.byName('Harbour View');

    // Close the first home, wait for its plan to be carried out, then the second.
    let closures: ClosureView[] = [];
    const answersOf = new Map<string, Map<string, Answer>>();
    const expectedAffected: string[][] = [];
    const handedOn: string[] = [];
    for (const home of homes) {
      const affectedNow = await liveAt(home.id, effectiveInstant);
      // ...and the offers and training holds the earlier closure's plan made at this home, keyed by the booking first lost.
      const pointing = [];
      for (const o of closures.flatMap((c) => c.outcomes)) {
        if ((o.outcome === 'OFFERED' || o.outcome === 'PENDING_TRAINING') && (await db().slot.findUniqueOrThrow({ where: { id: o.toSlotId! } })).providerId === home.id) pointing.push(o.bookingId);
      }
      handedOn.push(...pointing);
      expectedAffected.push([...affectedNow.map((b) => b.id), ...pointing].sort());
      const standing = home === homes[0] ? { standingPlace: { providerId: standingHome.id, places: 1 } } : {};
      const started = await closeProvider(coordinatorToken, home.id, { effectiveFrom, consultUntil: daysFromToday(DAY0), reason: 'Closure agreed after consultation with the parent carer forum', seed: 'west-sussex', maxDateShiftDays: 7, ...standing });
      expect(started).toMatchObject({ providerId: home.id, authorityId, effectiveFrom: effectiveInstant.toISOString(), status: 'CONSULTING' });
      answersOf.set(started.id, await answerAsFamilies(started.id, children));
      phase(`${home.name}: families answered`);
      const proceeded = await post(`/v1/closures/${started.id}/proceed`, coordinatorToken, { confirm: true });
      expect(proceeded.status).toBe(202);
      await addJob('planClosure', { closureId: started.id });
      closures.push(await waitForClosure(coordinatorToken, started.id, 240_000));
      phase(`${home.name}: plan carried out`);
    }
    // The first home's bookings on or after the date are exactly the ones made there through the API.
    expect(expectedAffected[0]).toEqual(booked.filter((b) => b.providerId === homes[0]!.id && b.startsAt >= effectiveInstant).map((b) => b.id).sort());
    // The second home's are the ones made there, plus children the first closure moved in.
    const movedIntoSecond = await db().booking.findMany({ where: { id: { in: closures[0]!.outcomes.flatMap((o) => (o.outcome === 'MOVED' && o.newBookingId ? [o.newBookingId] : [])) }, slot: { providerId: homes[1]!.id } } });
    expect(expectedAffected[1]).toEqual([...booked.filter((b) => b.providerId === homes[1]!.id && b.startsAt >= effectiveInstant).map((b) => b.id), ...movedIntoSecond.map((b) => b.id), ...handedOn].sort());
    // As both plans stand now: the first closure's offers at the second home follow the children to their new places.
    closures = await Promise.all(closures.map(async (c) => (await get(`/v1/closures/${c.id}`, coordinatorToken)).body as ClosureView));
    expect(closures[0]!.outcomes.filter((o) => o.supersededByOutcomeId).map((o) => o.bookingId).sort()).toEqual([...handedOn].sort());

    // Each affected place once, as it stands: an outcome a later closure re-planned is that closure's now.
    const allOutcomes = closures.flatMap((c) => c.outcomes).filter((o) => !o.supersededByOutcomeId);
    for (const [i, closure] of closures.entries()) {
      expect(closure.status).toBe('COMPLETED');
      expect(closure.error).toBeNull();
      // Exactly one outcome per affected booking, and the counts add up.
      expect(closure.outcomes.map((o) => o.bookingId).sort()).toEqual(expectedAffected[i]);
      expect(closure.counts.affected).toBe(expectedAffected[i]!.length);
      expect(countsAddUp(closure)).toBe(true);
      expect(closure.outcomes.every((o) => o.applied)).toBe(true);
      expect((await db().provider.findUniqueOrThrow({ where: { id: closure.providerId } })).status).toBe('CLOSING');
    }
    // Not a trivial plan: most children keep a break, complex-health children and wheelchair users among them.
    const movedOutcomes = allOutcomes.filter((o) => o.outcome === 'MOVED');
    expect(movedOutcomes.length).toBeGreaterThan(allOutcomes.length / 2);
    expect(movedOutcomes.some((o) => childById.get(o.childId)!.needs.some(isComplex))).toBe(true);
    expect(movedOutcomes.some((o) => childById.get(o.childId)!.needs.includes('WHEELCHAIR') && (o.transport as { outbound?: string } | null)?.outbound)).toBe(true);

    const bookingsNow = new Map((await db().booking.findMany({ where: { authorityId } })).map((b) => [b.id, b]));
    for (const o of allOutcomes) {
      const old = bookingsNow.get(o.bookingId)!;
      const child = childById.get(o.childId)!;
      switch (o.outcome) {
        case 'MOVED': {
          const moved = bookingsNow.get(o.newBookingId!)!;
          expect(old.status).toBe('REHOMED');
          expect(moved).toMatchObject({ childId: o.childId, slotId: o.toSlotId, source: 'REHOMING', replacesBookingId: o.bookingId });
          // Moved again only if the second closure re-homed it; otherwise it stands.
          expect(moved.status === 'CONFIRMED' || allOutcomes.some((x) => x.bookingId === moved.id)).toBe(true);
          // Complex-health children (and wheelchair, hoist, two-to-one) only where that is met.
          expect({ child: child.id, unmet: await unmetNeedsAt(child.needs, o.toSlotId!) }).toEqual({ child: child.id, unmet: [] });
          const transport = o.transport as { outbound?: string; return?: string; unmet?: string } | null;
          if (!child.needsTransport) expect(transport).toBeNull();
          else if (transport?.outbound) {
            const seats = await db().transportSeat.findMany({ where: { bookingId: moved.id }, include: { run: true } });
            expect(seats.map((s) => s.run.planRef).sort()).toEqual([transport.outbound, transport.return].sort());
            const to = await db().slot.findUniqueOrThrow({ where: { id: moved.slotId } });
            expect(seats.every((s) => s.run.providerId === to.providerId && s.childId === o.childId)).toBe(true);
          } else expect(transport?.unmet).toEqual(expect.any(String));
          break;
        }
        case 'OFFERED': {
          expect(old.status).toBe('CANCELLED');
          const entry = await db().waitlistEntry.findUniqueOrThrow({ where: { id: o.waitlistEntryId! } });
          expect(entry).toMatchObject({ childId: o.childId, slotId: o.toSlotId, rehoming: true, status: 'OFFERED' });
          expect((await db().slot.findUniqueOrThrow({ where: { id: o.toSlotId! } })).held).toBeGreaterThan(0);
          expect({ child: child.id, unmet: await unmetNeedsAt(child.needs, o.toSlotId!) }).toEqual({ child: child.id, unmet: [] });
          break;
        }
        case 'PENDING_TRAINING': {
          // Released: from the closing date nothing stays at the home; the held place is the child's.
          expect(old.status).toBe('CANCELLED');
          expect(o.trainingAction).toEqual(expect.arrayContaining([expect.objectContaining({ carerId: expect.any(String), need: expect.any(String), course: expect.any(String) })]));
          expect((await db().slot.findUniqueOrThrow({ where: { id: o.toSlotId! } })).held).toBeGreaterThan(0);
          // Only the carer's training is missing: every other need is met.
          expect(await unmetNeedsAt(child.needs.filter((n) => !isComplex(n)), o.toSlotId!)).toEqual([]);
          break;
        }
        case 'WAITLISTED':
          expect(old.status).toBe('CANCELLED');
          expect(o.reason.length).toBeGreaterThan(10);
          break;
        default:
          throw new Error(`unexpected outcome ${o.outcome} without any family action`);
      }
      // Each affected booking is replaced at most once.
      expect([...bookingsNow.values()].filter((b) => b.replacesBookingId === o.bookingId).length).toBe(o.outcome === 'MOVED' ? 1 : 0);
    }

    // Never lost: every booking row is still there, and each child's live bookings drop only by the breaks not kept.
    for (const b of rowsBefore) expect(bookingsNow.has(b.id)).toBe(true);
    const liveAfter = new Map<string, number>();
    for (const b of bookingsNow.values()) if ((LIVE as readonly string[]).includes(b.status)) liveAfter.set(b.childId, (liveAfter.get(b.childId) ?? 0) + 1);
    for (const childId of bookedChildren) {
      const lost = allOutcomes.filter((o) => o.childId === childId && ['OFFERED', 'WAITLISTED', 'CANCELLED_BY_FAMILY', 'PENDING_TRAINING'].includes(o.outcome)).length;
      expect({ childId, live: liveAfter.get(childId) ?? 0 }).toEqual({ childId, live: (liveBefore.get(childId) ?? 0) - lost });
    }
    // The audit trail says who moved each booking.
    const moved = allOutcomes.filter((o) => o.outcome === 'MOVED');
    expect(await db().auditEvent.count({ where: { bookingId: { in: moved.map((o) => o.bookingId) }, action: 'booking.rehomed' } })).toBe(moved.length);

    // No hard constraint broken for this county's children and places.
    const mine = new Set(bookingsNow.keys());
    const touchedSlots = new Set([...bookingsNow.values()].map((b) => b.slotId));
    for (const o of allOutcomes) if (o.toSlotId) touchedSlots.add(o.toSlotId);
    const violations = await invariantViolations();
    expect(violations.overfilled.filter((s) => touchedSlots.has(s.id))).toEqual([]);
    expect(violations.overlapping.filter((p) => mine.has(p.a) || mine.has(p.b))).toEqual([]);
    expect(violations.unsuitable.filter((b) => mine.has(b.id))).toEqual([]);

    // Invariant 8: nothing points at either home from the date (bookings, holds, offers, waiting lists, slots on sale).
    const homeIds = homes.map((h) => h.id);
    const pointingAtClosed = await closureViolations(homeIds);
    expect(pointingAtClosed).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
    expect(await strandedOffers(homeIds)).toEqual([]);
    for (const home of homes) {
      const onSale = await get(`/v1/slots?from=${effectiveFrom}&to=${daysFromToday(DAY0 + 40)}&providerId=${home.id}&available=true`, coordinatorToken);
      expect(onSale.body.items).toEqual([]);
      const days = await get(`/v1/slots/days?from=${effectiveFrom}&to=${daysFromToday(DAY0 + 40)}&providerId=${home.id}`, coordinatorToken);
      expect(days.body.days).toEqual([]);
    }
    // What each family received against what it ranked: a placed child's home is where its family put it, and the
    // decision record counts exactly the children whose every place is at the home their family ranked first.
    const slotProvider = new Map((await db().slot.findMany({ where: { id: { in: allOutcomes.flatMap((o) => (o.toSlotId ? [o.toSlotId] : [])) } }, select: { id: true, providerId: true } })).map((x) => [x.id, x.providerId]));
    const decisions = [];
    for (const closure of closures) {
      const answers = answersOf.get(closure.id)!;
      const record = (await get(`/v1/closures/${closure.id}`, coordinatorToken)).body.consultation;
      expect(record.responded.children).toBe(answers.size);
      let firstChoice = 0;
      const byChild = new Map<string, typeof closure.outcomes>();
      for (const o of closure.outcomes.filter((x) => !x.supersededByOutcomeId)) byChild.set(o.childId, [...(byChild.get(o.childId) ?? []), o]);
      for (const [childId, list] of byChild) {
        const answer = answers.get(childId)!;
        expect(answer).toBeDefined();
        for (const o of list.filter((x) => ['MOVED', 'OFFERED', 'PENDING_TRAINING'].includes(x.outcome))) {
          const at = answer.ranking.indexOf(slotProvider.get(o.toSlotId!)!);
          expect({ childId, rank: o.detail.familyRank }).toEqual({ childId, rank: at < 0 ? null : at + 1 });
        }
        if (list.every((o) => ['MOVED', 'OFFERED', 'PENDING_TRAINING'].includes(o.outcome) && o.detail.familyRank === 1)) firstChoice++;
      }
      const chained = closure.outcomes.some((o) => o.supersededByOutcomeId);
      // A plan whose outcomes a later closure re-planned is judged as it was made; the record reads them as they stand now.
      if (!chained) expect(record.decision.firstChoice).toBe(firstChoice);
      const withoutPlace = record.decision.withoutPlace.map((w: { childId: string }) => w.childId).sort();
      if (!chained) expect(withoutPlace).toEqual([...byChild].filter(([, l]) => l.some((o) => o.outcome === 'WAITLISTED')).map(([id]) => id).sort());
      else for (const id of withoutPlace) expect(closure.outcomes.some((o) => o.childId === id)).toBe(true);
      decisions.push({ home: CLOSING[closures.indexOf(closure)], families: record.families, respondedFamilies: record.responded.families, childrenPlanned: record.decision.childrenPlanned, firstChoice: record.decision.firstChoice, firstChoiceRate: record.decision.firstChoiceRate, withoutPlace: record.decision.withoutPlace.length });
    }
    console.log(JSON.stringify({ consultation: decisions }));

    // For the closing note: outcomes per kind, as they stand, and what was handed from the first plan to the second.
    const perKind = (c: ClosureView) => Object.fromEntries(['MOVED', 'OFFERED', 'PENDING_TRAINING', 'WAITLISTED', 'CANCELLED_BY_FAMILY'].map((k) => [k, c.counts[k as keyof ClosureView['counts']]]));
    console.log(JSON.stringify({ demoClosures: closures.map((c, i) => ({ home: CLOSING[i], affected: c.counts.affected, ...perKind(c), waitlistEntriesMoved: c.waitlistEntriesMoved })), handedOnFromFirstToSecond: handedOn.length, strandedOffers: (await strandedOffers(homeIds)).length, invariant8: pointingAtClosed }));

    // Who the upgrade and the standing place helped, as the plans stand: every such place is where the record says.
    const going = allOutcomes.filter((o) => ['MOVED', 'OFFERED', 'PENDING_TRAINING'].includes(o.outcome));
    const byUpgrade = going.filter((o) => o.detail.upgrades?.length);
    for (const o of byUpgrade) {
      expect(slotProvider.get(o.toSlotId!)).toBe(upgraded.id);
      expect(childById.get(o.childId)!.needs).toContain(upgradeNeed);
      expect(o.reason).toContain('through a home upgrade');
    }
    const standingRule = await db().capacityRule.findFirstOrThrow({ where: { standingForClosureId: closures[0]!.id } });
    expect(standingRule).toMatchObject({ providerId: standingHome.id, places: 1, reservedForAuthorityId: authorityId });
    const inStanding = going.filter((o) => o.detail.standingPlace);
    const standingSlots = new Set((await db().slot.findMany({ where: { capacityRuleId: standingRule.id }, select: { id: true } })).map((x) => x.id));
    expect(inStanding.every((o) => standingSlots.has(o.toSlotId!))).toBe(true);
    const record = (await get(`/v1/closures/${closures[0]!.id}`, coordinatorToken)).body;
    expect(record.standingPlaces).toEqual([expect.objectContaining({ providerId: standingHome.id, places: 1 })]);
    // The record counts every child of the first closure now in the block, also those its second closure re-planned there.
    expect(record.standingPlaces[0].childrenPlaced).toBeGreaterThanOrEqual(new Set(inStanding.map((o) => o.childId)).size);
    console.log(JSON.stringify({
      westSussexActions: {
        upgrade: { home: 'Orchard House', need: upgradeNeed, places: 2, childrenUnblocked: new Set(byUpgrade.map((o) => o.childId)).size, breaks: byUpgrade.length },
        standingPlace: { home: 'Harbour View', places: 1, childrenPlaced: new Set(inStanding.map((o) => o.childId)).size, breaks: inStanding.length, },
      },
    }));

    // Specialist transport: runs were planned, and none exceeds its vehicle or double-books it.
    const vehicles = await db().vehicle.findMany({ where: { authorityId } });
    const runs = await db().transportRun.findMany({ where: { closureId: { in: closures.map((c) => c.id) } }, include: { seats: true } });
    if (moved.some((o) => (o.transport as { outbound?: string } | null)?.outbound)) expect(runs.some((r) => r.seats.length > 0)).toBe(true);
    expect(runs.every((r) => vehicles.some((v) => v.id === r.vehicleId))).toBe(true);
    expect(await transportViolations(vehicles.map((v) => v.id))).toEqual({ overloaded: [], unescorted: [], doubleBooked: [] });

    // The passport travels: receiving providers see the children they now hold; a closing home stops seeing a child once it holds no live booking.
    const finalMoves = moved.filter((o) => bookingsNow.get(o.newBookingId!)!.status === 'CONFIRMED');
    for (const o of finalMoves.slice(0, 25)) {
      const providerId = (await db().slot.findUniqueOrThrow({ where: { id: o.toSlotId! } })).providerId;
      const res = await get(`/v1/children/${o.childId}`, await providerTokenFor(providerId));
      expect(res.status).toBe(200);
      expect(res.body.passport).toMatchObject({ communication: expect.any(String), medical: expect.any(String) });
    }
    for (const home of homes) {
      const token = await providerTokenFor(home.id);
      for (const childId of new Set(allOutcomes.map((o) => o.childId))) {
        const stillThere = (await db().booking.count({ where: { childId, status: { in: [...LIVE] }, slot: { providerId: home.id } } })) > 0;
        expect({ childId, status: (await get(`/v1/children/${childId}`, token)).status }).toEqual({ childId, status: stillThere ? 200 : 404 });
      }
    }

    // Notifications: each affected family, each receiving provider and each closing home.
    const families = new Set(allOutcomes.map((o) => childById.get(o.childId)!.familyId));
    const familyNotes = await db().notification.findMany({ where: { recipientRole: 'FAMILY', recipientId: { in: [...families] } } });
    expect(new Set(familyNotes.map((n) => n.recipientId))).toEqual(families);
    const receiving = new Set(await Promise.all(finalMoves.map(async (o) => (await db().slot.findUniqueOrThrow({ where: { id: o.toSlotId! } })).providerId)));
    const providerNotes = await db().notification.findMany({ where: { recipientRole: 'PROVIDER', recipientId: { in: [...receiving, ...homes.map((h) => h.id)] } } });
    for (const id of [...receiving, ...homes.map((h) => h.id)]) expect(providerNotes.some((n) => n.recipientId === id)).toBe(true);
    for (const closure of closures) expect(providerNotes.some((n) => n.dedupeKey === `closure-${closure.id}-provider`)).toBe(true);
    // About 400 requests, a county seeded and two plans worked out: 3 minutes on a quiet machine, 6 at load 20 and
    // over 10 at load 25 (seen twice in loaded suite runs), so the bound only catches a hang.
  }, 1_500_000);
});
