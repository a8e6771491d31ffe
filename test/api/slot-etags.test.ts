/**
 * A coordinator's calendar polls GET /v1/slots and /v1/slots/days. Each answer
 * carries an ETag of its content: asking again with If-None-Match gets 304 and
 * no body while nothing changed, and the full, new answer (with a new tag) as
 * soon as anything the coordinator would see changed — here a booking taking a
 * place, and the provider closing so its slots go off sale.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/london-time.js';
import { db } from '../../src/db.js';
import { call } from '../support/api.js';
import { book, makeFamilyWithChild } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

describe('ETags on the slot reads', () => {
  it('answer 304 while the window is unchanged and a new answer once a booking or a closure changes it', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const from = daysFromToday(320);
    const to = addDays(from, 2);
    const { slots } = await makeSlots(provider.id, { startDate: from, untilDate: to, places: 2 });

    for (const path of [`/v1/slots?from=${from}&to=${to}&providerId=${provider.id}`, `/v1/slots/days?from=${from}&to=${to}&providerId=${provider.id}`]) {
      const first = await call('GET', path, { token: coordinatorToken });
      expect(first.status).toBe(200);
      const tag = first.headers.get('ETag');
      expect(tag).toMatch(/^(W\/)?"[^"]+"$/);

      // The calendar asks again: nothing changed, nothing sent.
      const again = await call('GET', path, { token: coordinatorToken, headers: { 'If-None-Match': tag! } });
      expect(again.status).toBe(304);
      expect(again.body).toBeNull();
      expect(again.headers.get('ETag')).toBe(tag);
    }

    // A family's child takes a place on the first night: both reads change.
    const listPath = `/v1/slots?from=${from}&to=${to}&providerId=${provider.id}`;
    const daysPath = `/v1/slots/days?from=${from}&to=${to}&providerId=${provider.id}`;
    const before = { list: await call('GET', listPath, { token: coordinatorToken }), days: await call('GET', daysPath, { token: coordinatorToken }) };
    const { child } = await makeFamilyWithChild(authority.id);
    await book(coordinatorToken, child.id, slots[0]!.id);
    const afterBooking = await call('GET', listPath, { token: coordinatorToken, headers: { 'If-None-Match': before.list.headers.get('ETag')! } });
    expect(afterBooking.status).toBe(200);
    expect(afterBooking.headers.get('ETag')).not.toBe(before.list.headers.get('ETag'));
    expect(afterBooking.body.items.find((s: { id: string }) => s.id === slots[0]!.id).free).toBe(1);
    const daysAfterBooking = await call('GET', daysPath, { token: coordinatorToken, headers: { 'If-None-Match': before.days.headers.get('ETag')! } });
    expect(daysAfterBooking.status).toBe(200);
    expect(daysAfterBooking.body.days.find((d: { localDate: string }) => d.localDate === from).free).toBe(1);

    // The provider closes from the second night: those slots leave the list, and the tag changes again.
    await db().provider.update({ where: { id: provider.id }, data: { status: 'CLOSING', closingFrom: slots[1]!.startsAt } });
    const afterClosing = await call('GET', listPath, { token: coordinatorToken, headers: { 'If-None-Match': afterBooking.headers.get('ETag')! } });
    expect(afterClosing.status).toBe(200);
    expect(afterClosing.body.items.map((s: { id: string }) => s.id)).toEqual([slots[0]!.id]);
  });
});
