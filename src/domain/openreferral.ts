/**
 * The Local Offer as open data: a provider's short breaks as an Open Referral
 * (HSDS 3.1) service, the shape Open Referral UK and the English Family Hubs
 * service directories read (../shared/standards/hsds-3.1/). Pure: plain data in,
 * JSON out. Everything published here is about places, never about children —
 * the inputs carry no child, family or booking fields at all, so nothing
 * child-level can leak however the mapping changes.
 */
import { createHash } from 'node:crypto';
import { COMPLEX_HEALTH_NEEDS, type CareNeed } from './care-needs.js';
import { builderFieldsOf, describeRule } from './capacity/rrule-builder.js';
import type { ProviderKind } from './model.js';

/** A derived record (schedule, capacity, address…) needs a uuid of its own that stays the same between requests. */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha1').update(`shortbreaks-openreferral:${parts.join(':')}`).digest('hex');
  // RFC 9562 version 5 layout (name-based, SHA-1), so it passes any uuid check.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const NEED_LABELS: Record<CareNeed, string> = {
  GASTROSTOMY: 'Gastrostomy feeding',
  OXYGEN: 'Oxygen therapy',
  EPILEPSY_RESCUE_MEDICATION: 'Epilepsy rescue medication (e.g. buccal midazolam)',
  VENTILATION: 'Ventilation',
  HOIST: 'Hoist for moving and handling',
  WHEELCHAIR: 'Wheelchair access',
  TWO_TO_ONE_STAFFING: 'Two-to-one staffing',
  CHALLENGING_BEHAVIOUR: 'Behaviour that challenges',
  AUTISM: 'Autism',
  SENSORY_IMPAIRMENT: 'Sensory impairment',
};

const KIND_TEXT: Record<ProviderKind, string> = {
  RESIDENTIAL: 'Overnight short breaks in a residential unit for disabled children and young people.',
  COMMUNITY: 'Day short breaks (clubs, play schemes and activities) for disabled children and young people.',
  FAMILY_BASED: 'Overnight short breaks with an approved short-break foster carer in the carer’s own home.',
};

/** The taxonomy the need attributes belong to: what places can meet, in the project's care-need vocabulary. */
export const NEEDS_TAXONOMY = 'shortbreaks-care-needs';

export interface FeedRule {
  id: string;
  name: string | null;
  rrule: string;
  startDate: string;
  untilDate: string | null;
  startTime: string;
  durationMinutes: number;
  places: number;
  /** For family-based rules, the complex needs the carer is trained for today are added by the loader. */
  capabilities: CareNeed[];
  exdates: string[];
  updatedAt: Date;
}

export interface FeedPrice {
  id: string;
  ruleName: string;
  unit: 'NIGHT' | 'SESSION' | 'BLOCK';
  pence: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface FeedProvider {
  id: string;
  name: string;
  kind: ProviderKind;
  status: 'ACTIVE' | 'CLOSING' | 'CLOSED';
  closingFrom: Date | null;
  addressLine: string;
  postcode: string;
  lat: number;
  lng: number;
  phone: string | null;
  email: string | null;
  updatedAt: Date;
  rules: FeedRule[];
  /** Places over the capacity window, as units: nights for overnight breaks, sessions for day ones. */
  capacity: { unit: 'NIGHT' | 'SESSION'; maximum: number; available: number; updated: Date }[];
  prices: FeedPrice[];
}

export interface FeedContext {
  /** The authority whose Local Offer this is, when the feed was asked for one. */
  authorityName: string | null;
  /** The capacity window's first and last local dates. */
  windowFrom: string;
  windowTo: string;
}

const UNIT_NAMES = { NIGHT: 'bed-night', SESSION: 'session' } as const;

const END_OF = (startTime: string, minutes: number) => {
  const [h, m] = startTime.split(':').map(Number) as [number, number];
  const total = h * 60 + m + minutes;
  const days = Math.floor(total / 1440);
  const at = `${String(Math.floor((total % 1440) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
  return { at, days };
};

const WEEK = 'MO,TU,WE,TH,FR,SA,SU';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * A capacity rule as an HSDS schedule. HSDS 3.1 schedules take only WEEKLY and
 * MONTHLY recurrences, so a daily rule is published as weekly on every day it
 * runs; what HSDS cannot hold (BYMONTH, a yearly rule, a daily interval) is said
 * in `description` and `freq` is left out rather than published wrongly.
 */
export function scheduleOf(serviceId: string, rule: FeedRule) {
  const f = builderFieldsOf(rule.rrule);
  const kept = new Map(f.kept.map((k) => k.split('=') as [string, string]));
  const end = END_OF(rule.startTime, rule.durationMinutes);
  const months = kept.get('BYMONTH')?.split(',').map((m) => MONTHS[Number(m) - 1]).filter(Boolean) ?? [];
  const byday = f.byday.join(',') || kept.get('BYDAY');
  let recurrence: Record<string, string | number> = {};
  if (f.freq === 'WEEKLY') recurrence = { freq: 'WEEKLY', interval: f.interval, ...(byday ? { byday } : {}) };
  else if (f.freq === 'DAILY' && f.interval === 1) recurrence = { freq: 'WEEKLY', interval: 1, byday: byday ?? WEEK };
  else if (f.freq === 'MONTHLY') {
    const bymonthday = kept.get('BYMONTHDAY');
    recurrence = { freq: 'MONTHLY', interval: f.interval, ...(byday ? { byday } : {}), ...(bymonthday ? { bymonthday } : {}) };
  }
  const nextDay = end.days === 1 ? ' the next day' : end.days > 1 ? ` ${end.days} days later` : '';
  const description = [
    `${rule.name ?? 'Short breaks'}: ${describeRule(rule.rrule).toLowerCase()}`,
    months.length ? ` in ${months.join(', ')}` : '',
    `, ${rule.startTime} to ${end.at}${nextDay}`,
    `; ${rule.places} place${rule.places === 1 ? '' : 's'}.`,
  ].join('');
  return {
    id: stableUuid('schedule', rule.id),
    service_id: serviceId,
    valid_from: rule.startDate,
    ...(rule.untilDate ? { valid_to: rule.untilDate, until: rule.untilDate } : {}),
    dtstart: rule.startDate,
    ...recurrence,
    opens_at: rule.startTime,
    closes_at: end.at,
    description,
    attending_type: 'in person',
    ...(rule.exdates.length ? { notes: `No break on ${rule.exdates.join(', ')}.` } : {}),
  };
}

function needsMet(p: FeedProvider): CareNeed[] {
  const met = new Set(p.rules.flatMap((r) => r.capabilities));
  return (Object.keys(NEED_LABELS) as CareNeed[]).filter((n) => met.has(n));
}

function eligibilityText(p: FeedProvider, ctx: FeedContext): string {
  const needs = needsMet(p);
  const complex = needs.filter((n) => COMPLEX_HEALTH_NEEDS.includes(n));
  const who = ctx.authorityName ? `assessed by ${ctx.authorityName}` : 'assessed by their local authority';
  return [
    `Disabled children and young people aged 0 to 17 ${who} as needing short breaks.`,
    needs.length ? ` Places can meet: ${needs.map((n) => NEED_LABELS[n].toLowerCase()).join('; ')}.` : '',
    complex.length ? ` Children with complex health needs are placed only where their need is met.` : ' This service cannot meet complex health needs (gastrostomy, oxygen, rescue medication, ventilation).',
  ].join('');
}

const money = (pence: number) => `£${(pence / 100).toFixed(2)}`;
const UNIT_WORD = { NIGHT: 'per night', SESSION: 'per session', BLOCK: 'for the block contract' } as const;

function feesText(p: FeedProvider): string {
  if (!p.prices.length) return 'Free to families: short breaks are funded by the local authority (and the NHS for continuing care) after an assessment.';
  const parts = p.prices.map((c) => `${c.ruleName}: ${money(c.pence)} ${UNIT_WORD[c.unit]}`);
  return `Free to families: short breaks are funded by the local authority (and the NHS for continuing care) after an assessment. Commissioning price: ${parts.join('; ')}.`;
}

const hsdsStatus = (p: FeedProvider) => (p.status === 'CLOSED' ? 'defunct' : 'active');

const lastModified = (p: FeedProvider) => new Date(Math.max(p.updatedAt.getTime(), ...p.rules.map((r) => r.updatedAt.getTime()))).toISOString();

/** An email HSDS (format "email") accepts; anything else is left out rather than invalidate the record. */
const emailOrUndefined = (e: string | null) => (e && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : undefined);

function organizationOf(p: FeedProvider) {
  return {
    id: stableUuid('organization', p.id),
    name: p.name,
    description: KIND_TEXT[p.kind],
    ...(emailOrUndefined(p.email) ? { email: emailOrUndefined(p.email) } : {}),
  };
}

/** The one-to-one fields of a service: a list page's entries (HSDS compiled/service_list.json). */
export function serviceSummary(p: FeedProvider, ctx: FeedContext) {
  const closing = p.status === 'CLOSING' && p.closingFrom ? { alert: `Closing: no breaks from ${p.closingFrom.toISOString().slice(0, 10)}.` } : {};
  return {
    id: p.id,
    organization_id: stableUuid('organization', p.id),
    name: p.name,
    description: KIND_TEXT[p.kind],
    ...(emailOrUndefined(p.email) ? { email: emailOrUndefined(p.email) } : {}),
    status: hsdsStatus(p),
    application_process: ctx.authorityName
      ? `Ask ${ctx.authorityName}'s short breaks team for an assessment; places are allocated in fair rounds.`
      : 'Ask your local authority’s short breaks team for an assessment; places are allocated in fair rounds.',
    fees_description: feesText(p),
    eligibility_description: eligibilityText(p, ctx),
    minimum_age: 0,
    maximum_age: 17,
    ...closing,
    last_modified: lastModified(p),
    organization: organizationOf(p),
  };
}

/** A fully nested service (HSDS compiled/service_with_definitions.json). */
export function serviceDocument(p: FeedProvider, ctx: FeedContext) {
  const locationId = stableUuid('location', p.id);
  const town = p.addressLine.split(',').at(-1)?.trim() || p.addressLine;
  const schedules = p.rules.map((r) => scheduleOf(p.id, r));
  return {
    ...serviceSummary(p, ctx),
    phones: p.phone ? [{ id: stableUuid('phone', p.id), service_id: p.id, number: p.phone }] : [],
    schedules,
    service_at_locations: [
      {
        id: stableUuid('service_at_location', p.id),
        service_id: p.id,
        location_id: locationId,
        location: {
          id: locationId,
          location_type: 'physical',
          organization_id: stableUuid('organization', p.id),
          name: p.name,
          latitude: p.lat,
          longitude: p.lng,
          addresses: [
            {
              id: stableUuid('address', p.id),
              location_id: locationId,
              address_1: p.addressLine,
              city: town,
              state_province: 'England',
              postal_code: p.postcode,
              country: 'GB',
              address_type: 'physical',
            },
          ],
        },
      },
    ],
    cost_options: p.prices.map((c) => ({
      id: stableUuid('cost_option', c.id),
      service_id: p.id,
      valid_from: c.effectiveFrom,
      ...(c.effectiveTo ? { valid_to: c.effectiveTo } : {}),
      option: `${c.ruleName} (${UNIT_WORD[c.unit]})`,
      currency: 'GBP',
      amount: c.pence / 100,
      amount_description: `Price the commissioning authority pays ${UNIT_WORD[c.unit]}; families pay nothing.`,
    })),
    capacities: p.capacity.map((c) => ({
      id: stableUuid('capacity', p.id, c.unit),
      service_id: p.id,
      unit: { id: stableUuid('unit', c.unit), name: UNIT_NAMES[c.unit], scheme: 'shortbreaks', identifier: UNIT_NAMES[c.unit] },
      available: c.available,
      maximum: c.maximum,
      description: `${UNIT_NAMES[c.unit] === 'bed-night' ? 'Bed-nights' : 'Day sessions'} free to book from ${ctx.windowFrom} to ${ctx.windowTo}, of those published.`,
      updated: c.updated.toISOString(),
    })),
    attributes: needsMet(p).map((need) => ({
      id: stableUuid('attribute', p.id, need),
      link_id: p.id,
      link_type: 'eligibility',
      link_entity: 'service',
      value: need,
      label: NEED_LABELS[need],
      taxonomy_term: {
        id: stableUuid('taxonomy_term', need),
        code: need,
        name: NEED_LABELS[need],
        description: `Places at this service can meet: ${NEED_LABELS[need].toLowerCase()}.`,
        taxonomy: NEEDS_TAXONOMY,
      },
    })),
  };
}

/** A page of a list as HSDS's openapi.json `Page` describes it. */
export function hsdsPage<T>(contents: T[], total: number, page: number, perPage: number) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: page,
    size: contents.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}
