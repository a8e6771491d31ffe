/**
 * Slot regeneration is idempotent: generating again creates nothing,
 * an edited rule updates or withdraws empty slots, never duplicates a date, and
 * never deletes or reshapes a slot holding a booking — that one is kept and
 * reported in the rule's generationConflicts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// This file runs a real worker: give it its own queue namespace so it only sees
// jobs made here, and remove the namespace afterwards. Set before any config() read.
process.env.QUEUE_PREFIX = `sbtest-regen-${randomUUID().slice(0, 8)}`;

import { config } from '../../src/config.js';
import { db } from '../../src/db.js';
import { londonWallTimeOf } from '../../src/domain/london-time.js';
import { queue } from '../../src/jobs/queues.js';
import { QUEUE_NAMES } from '../../src/jobs/registry.js';
import { extendHorizonForAllRules, generateSlotsForRule } from '../../src/services/slot-generation.js';
import { PROCESSORS, startWorkers } from '../../workers/index.js';
import { get, patch, post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let coordinatorToken: string;
let authorityId: string;
let familyId: string;

beforeAll(async () => {
  const a = await makeAuthority();
  coordinatorToken = a.coordinatorToken;
  authorityId = a.authority.id;
  familyId = (await makeFamily(authorityId)).family.id;
});

afterAll(async () => {
  // The worker opened every queue it consumes; remove them all with this file's namespace.
  for (const name of new Set([...QUEUE_NAMES, ...(Object.keys(PROCESSORS) as (keyof typeof PROCESSORS)[])])) await queue(name).obliterate({ force: true }).catch(() => undefined);
  await closeConnections();
});

/** A daily rule over seven future days, with its slots generated. */
async function weekOfSlots(options: { places?: number } = {}) {
  const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId });
  return makeSlots(provider.id, { startDate: daysFromToday(20), untilDate: daysFromToday(26), places: options.places ?? 3 });
}

const slotsOf = (ruleId: string) => db().slot.findMany({ where: { capacityRuleId: ruleId }, orderBy: { localDate: 'asc' } });
const activeDates = async (ruleId: string) => (await slotsOf(ruleId)).filter((s) => s.status === 'ACTIVE').map((s) => s.localDate);
const week = () => [20, 21, 22, 23, 24, 25, 26].map(daysFromToday);

/** Edit a rule through the API, then regenerate as the worker would. */
async function editRule(ruleId: string, body: Record<string, unknown>) {
  const res = await patch(`/v1/capacity-rules/${ruleId}`, coordinatorToken, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await generateSlotsForRule(ruleId);
  return res.body;
}

async function bookInto(slot: { id: string; startsAt: Date; endsAt: Date }) {
  return insertBooking(slot, await makeChild(familyId, authorityId));
}

describe('generating again', () => {
  it('creates, updates and withdraws nothing the second time', async () => {
    const { rule, slots } = await weekOfSlots();
    expect(slots.map((s) => s.localDate)).toEqual(week());
    const again = await generateSlotsForRule(rule.id);
    expect(again).toMatchObject({ created: 0, updated: 0, withdrawn: 0, conflicts: [] });
    expect((await slotsOf(rule.id)).map((s) => s.id)).toEqual(slots.map((s) => s.id));
  });

  it('leaves exactly one slot per date when two generations of one rule race', async () => {
    const { provider } = await makeProvider('COMMUNITY', { operatorAuthorityId: authorityId });
    const rule = await db().capacityRule.create({
      data: { providerId: provider.id, rrule: 'FREQ=DAILY', startDate: daysFromToday(5), untilDate: daysFromToday(34), startTime: '09:30', durationMinutes: 240, places: 2, capabilities: [], exdates: [] },
    });
    const results = await Promise.all([generateSlotsForRule(rule.id), generateSlotsForRule(rule.id)]);
    expect(results.map((r) => r?.created).sort()).toEqual([0, 30]);
    const slots = await slotsOf(rule.id);
    expect(slots).toHaveLength(30);
    expect(new Set(slots.map((s) => s.localDate)).size).toBe(30);
  });

  it("extends a rule's horizon once a day: a worker starting again the same day regenerates only rules edited, or whose home changed, since", async () => {
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId });
    const { rule, slots } = await makeSlots(provider.id, { startDate: daysFromToday(1) });
    const { provider: other } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId });
    const { rule: edited } = await makeSlots(other.id, { startDate: daysFromToday(1) });
    const { rule: moved } = await makeSlots((await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId })).provider.id, { startDate: daysFromToday(1) });
    const lastDate = slots.at(-1)!.localDate;
    const generatedAt = async (id: string) => (await db().capacityRule.findUniqueOrThrow({ where: { id } })).generatedAt;
    const before = await generatedAt(rule.id);

    // The same day, a worker (re)starts: an edit published while no worker ran, and a home renamed, are picked up.
    expect((await patch(`/v1/capacity-rules/${edited.id}`, coordinatorToken, { places: 5 })).status).toBe(200);
    await db().provider.update({ where: { id: (await db().capacityRule.findUniqueOrThrow({ where: { id: moved.id } })).providerId }, data: { name: 'Renamed home' } });
    const later = new Date(Date.now() + 60_000);
    await extendHorizonForAllRules(later);
    expect(await generatedAt(rule.id)).toEqual(before);
    expect((await slotsOf(rule.id)).map((s) => s.id)).toEqual(slots.map((s) => s.id));
    expect((await slotsOf(edited.id)).filter((s) => s.localDate > daysFromToday(1)).every((s) => s.capacity === 5)).toBe(true);
    expect(await generatedAt(moved.id)).toEqual(later);

    // The next day the horizon has moved on by a day, and the rule gets that day's slot.
    await extendHorizonForAllRules(new Date(Date.now() + 864e5));
    expect((await slotsOf(rule.id)).at(-1)!.localDate > lastDate).toBe(true);
  });

  it('returns null for a rule that does not exist', async () => {
    expect(await generateSlotsForRule(randomUUID())).toBeNull();
  });
});

describe('editing a rule whose slots are empty', () => {
  it('changes places in place, keeping each slot', async () => {
    const { rule, slots } = await weekOfSlots();
    const edited = await editRule(rule.id, { places: 5 });
    expect(edited.version).toBe(2);
    const after = await slotsOf(rule.id);
    expect(after.map((s) => s.id)).toEqual(slots.map((s) => s.id));
    expect(after.every((s) => s.capacity === 5 && s.status === 'ACTIVE')).toBe(true);
    const view = await get(`/v1/capacity-rules/${rule.id}`, coordinatorToken);
    expect(view.body).toMatchObject({ version: 2, generatedVersion: 2, generationConflicts: [] });
  });

  it('keeps the fields an edit does not mention', async () => {
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId });
    const { rule } = await makeSlots(provider.id, { startDate: daysFromToday(20), untilDate: daysFromToday(26), capabilities: ['OXYGEN', 'HOIST'] });
    await editRule(rule.id, { exdates: [daysFromToday(22)] });
    const edited = await editRule(rule.id, { places: 4 });
    expect(edited).toMatchObject({ places: 4, capabilities: ['OXYGEN', 'HOIST'], exdates: [daysFromToday(22)], startTime: '17:00' });
    expect(await activeDates(rule.id)).toEqual(week().filter((d) => d !== daysFromToday(22)));
    expect((await slotsOf(rule.id)).every((s) => s.capabilities.join() === 'OXYGEN,HOIST')).toBe(true);
  });

  it('moves the start time of every slot', async () => {
    const { rule, slots } = await weekOfSlots();
    await editRule(rule.id, { startTime: '18:30', durationMinutes: 600 });
    const after = await slotsOf(rule.id);
    expect(after.map((s) => s.id)).toEqual(slots.map((s) => s.id));
    for (const s of after) {
      expect(londonWallTimeOf(s.startsAt)).toBe('18:30');
      expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(600 * 60_000);
    }
  });

  it('withdraws dates a new rrule drops and brings them back, never duplicating a date', async () => {
    const { rule } = await weekOfSlots();
    const [first] = week();
    const weekday = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][new Date(`${first}T00:00:00Z`).getUTCDay()];
    await editRule(rule.id, { rrule: `FREQ=WEEKLY;BYDAY=${weekday}` });
    expect(await activeDates(rule.id)).toEqual([first]);
    const withdrawn = (await slotsOf(rule.id)).filter((s) => s.status === 'WITHDRAWN');
    expect(withdrawn.map((s) => s.localDate)).toEqual(week().slice(1));

    const listed = await get(`/v1/slots?from=${week()[0]}&to=${week()[6]}&providerId=${rule.providerId}`, coordinatorToken);
    expect(listed.body.items.map((s: { localDate: string }) => s.localDate)).toEqual([first]);

    await editRule(rule.id, { rrule: 'FREQ=DAILY' });
    const slots = await slotsOf(rule.id);
    expect(slots).toHaveLength(7);
    expect(slots.every((s) => s.status === 'ACTIVE')).toBe(true);
  });

  it('withdraws a date added to exdates and restores it when removed', async () => {
    const { rule } = await weekOfSlots();
    const excluded = week()[3]!;
    await editRule(rule.id, { exdates: [excluded] });
    expect(await activeDates(rule.id)).toEqual(week().filter((d) => d !== excluded));
    await editRule(rule.id, { exdates: [] });
    expect(await activeDates(rule.id)).toEqual(week());
    expect(await slotsOf(rule.id)).toHaveLength(7);
  });

  it('withdraws every slot of a deactivated rule', async () => {
    const { rule } = await weekOfSlots();
    await editRule(rule.id, { active: false });
    expect(await activeDates(rule.id)).toEqual([]);
    const listed = await get(`/v1/slots?from=${week()[0]}&to=${week()[6]}&providerId=${rule.providerId}`, coordinatorToken);
    expect(listed.body.items).toEqual([]);
  });
});

describe('editing a rule with a booked slot', () => {
  it('keeps the booked slot’s times and reports it, moving only the empty ones', async () => {
    const { rule, slots } = await weekOfSlots();
    const booked = slots[2]!;
    const booking = await bookInto(booked);
    await editRule(rule.id, { startTime: '19:00' });

    const after = await slotsOf(rule.id);
    const kept = after.find((s) => s.id === booked.id)!;
    expect(kept).toMatchObject({ status: 'ACTIVE', booked: 1, startsAt: booked.startsAt, endsAt: booked.endsAt });
    expect(after.filter((s) => s.id !== booked.id).every((s) => londonWallTimeOf(s.startsAt) === '19:00')).toBe(true);
    expect(await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).toMatchObject({ status: 'CONFIRMED', slotId: booked.id });

    const view = await get(`/v1/capacity-rules/${rule.id}`, coordinatorToken);
    expect(view.body.generationConflicts).toEqual([{ localDate: booked.localDate, slotId: booked.id, reason: expect.stringContaining('booked') }]);
  });

  it('keeps a booked slot on a date the rule no longer includes, or when the rule is deactivated', async () => {
    const { rule, slots } = await weekOfSlots();
    const booked = slots[4]!;
    await bookInto(booked);

    await editRule(rule.id, { exdates: [booked.localDate] });
    expect(await activeDates(rule.id)).toEqual(week());
    let view = await get(`/v1/capacity-rules/${rule.id}`, coordinatorToken);
    expect(view.body.generationConflicts).toEqual([{ localDate: booked.localDate, slotId: booked.id, reason: expect.stringContaining('no longer includes') }]);

    await editRule(rule.id, { active: false });
    expect(await activeDates(rule.id)).toEqual([booked.localDate]);
    view = await get(`/v1/capacity-rules/${rule.id}`, coordinatorToken);
    expect(view.body.generationConflicts.map((c: { slotId: string }) => c.slotId)).toEqual([booked.id]);
    expect(await db().slot.count({ where: { capacityRuleId: rule.id } })).toBe(7);
  });

  it('never cuts places below those booked', async () => {
    const { rule, slots } = await weekOfSlots({ places: 3 });
    const booked = slots[0]!;
    await bookInto(booked);
    await bookInto(booked);
    await editRule(rule.id, { places: 1 });
    const after = await slotsOf(rule.id);
    expect(after.find((s) => s.id === booked.id)).toMatchObject({ capacity: 2, booked: 2 });
    expect(after.filter((s) => s.id !== booked.id).every((s) => s.capacity === 1)).toBe(true);
    const view = await get(`/v1/capacity-rules/${rule.id}`, coordinatorToken);
    expect(view.body.generationConflicts).toEqual([{ localDate: booked.localDate, slotId: booked.id, reason: expect.stringContaining('capacity kept at 2') }]);

    // Once the conflict is gone (the rule offers enough places again), it is no longer reported.
    await editRule(rule.id, { places: 3 });
    expect((await get(`/v1/capacity-rules/${rule.id}`, coordinatorToken)).body.generationConflicts).toEqual([]);
  });
});

describe('through the queue', () => {
  it('materialises a rule published through the API, and its edit, with the worker running', async () => {
    expect(config().QUEUE_PREFIX).toBe(process.env.QUEUE_PREFIX);
    const worker = await startWorkers({ sweepMs: 200 });
    try {
      const { provider } = await makeProvider('COMMUNITY', { operatorAuthorityId: authorityId });
      const created = await post(`/v1/providers/${provider.id}/capacity-rules`, coordinatorToken, {
        rrule: 'FREQ=DAILY',
        startDate: daysFromToday(3),
        untilDate: daysFromToday(5),
        startTime: '10:00',
        durationMinutes: 300,
        places: 4,
        capabilities: ['WHEELCHAIR'],
      });
      expect(created.status).toBe(201);
      const slotsPath = `/v1/slots?from=${daysFromToday(0)}&to=${daysFromToday(10)}&providerId=${provider.id}`;

      const until = async (done: (items: any[]) => boolean) => {
        const deadline = Date.now() + 90_000;
        for (;;) {
          const items = (await get(slotsPath, coordinatorToken)).body.items as any[];
          if (done(items)) return items;
          if (Date.now() > deadline) throw new Error(`worker did not generate slots in 90 s: ${JSON.stringify(items)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const generated = await until((items) => items.length === 3);
      expect(generated.map((s) => [s.localDate, s.capacity])).toEqual([3, 4, 5].map((d) => [daysFromToday(d), 4]));

      await patch(`/v1/capacity-rules/${created.body.id}`, coordinatorToken, { places: 6 });
      await until((items) => items.length === 3 && items.every((s) => s.capacity === 6));
      const view = await get(`/v1/capacity-rules/${created.body.id}`, coordinatorToken);
      expect(view.body).toMatchObject({ version: 2, generatedVersion: 2 });
    } finally {
      await worker.stop();
    }
  });
});
