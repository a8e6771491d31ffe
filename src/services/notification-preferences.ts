/**
 * How each person wants to be told: a channel per kind of message (email,
 * text, both or none; required notices cannot be turned off) and quiet hours
 * for text messages. Each member person of a family, a provider or an
 * authority chooses for themselves; the organisation's own choices are what
 * its shared contacts get when it has no member people, and the default for
 * each member on the kinds they have not chosen. Read by the delivery worker,
 * set by the person through the API or the preferences page (a credential
 * without a person, a legacy access key, sets the organisation's).
 */
import type { UpdatePreferencesInput } from '../schemas/notifications.js';
import { db, type Tx } from '../db.js';
import { KIND_NAMES, kindSpec, kindsFor, type ChannelChoice, type NotificationKind } from '../domain/notification-kinds.js';
import { forbidden, invalid } from '../errors.js';
import type { Principal } from './access.js';
import { audit } from './audit.js';
import type { RecipientRole } from './notifications.js';
import { contactOf } from './notification-recipients.js';
import { transaction } from './tx.js';
import { paginate } from '../schemas/paging.js';
import { NotificationChannelsColumn } from '../schemas/json-columns.js';

export interface Preferences {
  channels: Partial<Record<NotificationKind, ChannelChoice>>;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
}

const NO_CHOICES: Preferences = { channels: {}, quietHoursStart: null, quietHoursEnd: null };

function parseRow(row: { channels: unknown; quietHoursStart: string | null; quietHoursEnd: string | null }): Preferences {
  // Kinds from older versions are dropped.
  const stored = NotificationChannelsColumn.parse(row.channels ?? {});
  const channels = Object.fromEntries(Object.entries(stored).filter(([k]) => (KIND_NAMES as string[]).includes(k))) as Preferences['channels'];
  return { channels, quietHoursStart: row.quietHoursStart, quietHoursEnd: row.quietHoursEnd };
}

/** An organisation's choices (a family, a provider, an authority's team). */
export async function preferencesOf(tx: Tx, role: RecipientRole, id: string): Promise<Preferences> {
  // A person's own messages (sign-in links, invitations) are always sent by email: there is nothing to choose.
  if (role === 'PERSON' || role === 'INVITATION') return NO_CHOICES;
  const row = await tx.notificationPreference.findUnique({ where: { recipientRole_recipientId: { recipientRole: role, recipientId: id } } });
  return row ? parseRow(row) : NO_CHOICES;
}

/**
 * What applies to one member: their own channel per kind, else the
 * organisation's; their own quiet hours once they have chosen anything
 * (none is a choice), else the organisation's.
 */
export function memberPreferences(organisation: Preferences, own: Preferences | null): Preferences {
  if (!own) return organisation;
  return { channels: { ...organisation.channels, ...own.channels }, quietHoursStart: own.quietHoursStart, quietHoursEnd: own.quietHoursEnd };
}

/** Each member's preferences over the organisation's, by person id. */
export async function preferencesOfMembers(tx: Tx, organisation: Preferences, personIds: string[]): Promise<Map<string, Preferences>> {
  const rows = personIds.length ? await tx.personNotificationPreference.findMany({ where: { personId: { in: personIds } } }) : [];
  const own = new Map(rows.map((r) => [r.personId, parseRow(r)]));
  return new Map(personIds.map((id) => [id, memberPreferences(organisation, own.get(id) ?? null)]));
}

/** A principal is one recipient: a family, a provider, or its authority's coordinators. */
export function recipientOf(p: Principal): { role: Exclude<RecipientRole, 'PERSON' | 'INVITATION'>; id: string } {
  if (p.role === 'FAMILY') return { role: 'FAMILY', id: p.familyId };
  if (p.role === 'PROVIDER') return { role: 'PROVIDER', id: p.providerId };
  if (p.role === 'COORDINATOR') return { role: 'COORDINATOR', id: p.authorityId };
  // Drivers and escorts are sent nothing yet; they must not reach their coordinators' settings.
  if (p.role === 'TRANSPORT') throw forbidden('Transport staff have no message preferences');
  throw forbidden('Platform administrators have no message preferences');
}

export interface PreferencesView {
  /** Whose choices these are: the signed-in person's own, or (null) the organisation's, for a credential without a person. */
  person: { id: string; name: string; email: string | null; mobile: string | null } | null;
  kinds: { kind: NotificationKind; title: string; trigger: string; required: boolean; defaultChannel: ChannelChoice; channel: ChannelChoice }[];
  quietHours: { start: string; end: string } | null;
}

async function personOf(tx: Tx, p: Principal) {
  if (!p.personId) return null;
  return tx.person.findUnique({ where: { id: p.personId }, select: { id: true, name: true, email: true, mobile: true, notificationPreference: true } });
}

export async function getPreferences(principal: Principal): Promise<PreferencesView> {
  const { role, id } = recipientOf(principal);
  const organisation = await preferencesOf(db(), role, id);
  const person = await personOf(db(), principal);
  const prefs = person ? memberPreferences(organisation, person.notificationPreference && parseRow(person.notificationPreference)) : organisation;
  return {
    person: person && { id: person.id, name: person.name, email: person.email, mobile: person.mobile },
    kinds: kindsFor(role).map((kind) => {
      const spec = kindSpec(kind);
      const chosen = prefs.channels[kind] ?? spec.defaultChannel;
      return { kind, title: spec.title, trigger: spec.trigger, required: spec.required, defaultChannel: spec.defaultChannel, channel: spec.required && chosen === 'NONE' ? spec.defaultChannel : chosen };
    }),
    quietHours: prefs.quietHoursStart && prefs.quietHoursEnd ? { start: prefs.quietHoursStart, end: prefs.quietHoursEnd } : null,
  };
}

export async function updatePreferences(principal: Principal, input: UpdatePreferencesInput): Promise<PreferencesView> {
  const { role, id } = recipientOf(principal);
  const mine = new Set<string>(kindsFor(role));
  const problems = Object.entries(input.channels ?? {}).flatMap(([kind, choice]) => {
    if (!mine.has(kind)) return [{ path: `channels.${kind}`, message: `not a kind of message sent to a ${role.toLowerCase()}` }];
    if (choice === 'NONE' && kindSpec(kind as NotificationKind).required) return [{ path: `channels.${kind}`, message: 'this notice is always sent; choose email, text or both' }];
    return [];
  });
  if (input.mobile !== undefined && !principal.personId) problems.push({ path: 'mobile', message: 'a credential without a person has no mobile of its own; the organisation’s number is changed by its coordinators' });
  if (problems.length) throw invalid(problems, 'Some preferences cannot be set');
  if (input.quietHours && input.quietHours.start === input.quietHours.end) {
    throw invalid([{ path: 'quietHours', message: 'start and end are the same time' }], 'Quiet hours must start and end at different times');
  }
  const quietOf = (current: Preferences) =>
    input.quietHours === undefined ? { quietHoursStart: current.quietHoursStart, quietHoursEnd: current.quietHoursEnd } : { quietHoursStart: input.quietHours?.start ?? null, quietHoursEnd: input.quietHours?.end ?? null };
  const authorityId = principal.role === 'PROVIDER' || principal.role === 'ADMIN' ? null : principal.authorityId;
  await transaction(async (tx) => {
    const person = await personOf(tx, principal);
    if (person) {
      // A first choice starts from what applied until now (the organisation's), so only what they change changes.
      const current = memberPreferences(await preferencesOf(tx, role, id), person.notificationPreference && parseRow(person.notificationPreference));
      const own = person.notificationPreference ? parseRow(person.notificationPreference) : NO_CHOICES;
      const channels = { ...own.channels, ...(input.channels ?? {}) };
      const quiet = quietOf(current);
      await tx.personNotificationPreference.upsert({ where: { personId: person.id }, create: { personId: person.id, channels, ...quiet }, update: { channels, ...quiet } });
      const mobile = input.mobile === undefined ? person.mobile : input.mobile;
      if (mobile !== person.mobile) await tx.person.update({ where: { id: person.id }, data: { mobile } });
      await audit(tx, principal, { action: 'notification_preferences.updated', entityType: 'Person', entityId: person.id, authorityId, after: { channels, ...quiet, mobileChanged: mobile !== person.mobile } });
      return;
    }
    const current = await preferencesOf(tx, role, id);
    const channels = { ...current.channels, ...(input.channels ?? {}) };
    const quiet = quietOf(current);
    await tx.notificationPreference.upsert({
      where: { recipientRole_recipientId: { recipientRole: role, recipientId: id } },
      create: { recipientRole: role, recipientId: id, channels, ...quiet },
      update: { channels, ...quiet },
    });
    await audit(tx, principal, { action: 'notification_preferences.updated', entityType: role === 'COORDINATOR' ? 'Authority' : role === 'FAMILY' ? 'Family' : 'Provider', entityId: id, authorityId, after: { channels, ...quiet } });
  });
  return getPreferences(principal);
}

/**
 * Messages the principal may read: its organisation's, with the deliveries to
 * the signed-in person (and to the organisation's shared contacts); a
 * coordinator reads every message of its authority and every delivery (to
 * follow up failures).
 */
/** The shared email and phone of the organisation a principal's messages are for: what a member falls back to. */
export const organisationContact = (principal: Principal) => {
  const { role, id } = recipientOf(principal);
  return contactOf(db(), role, id);
};

/** The names of the families and providers some messages went to, by id, for a coordinator reading them. */
export async function recipientNames(messages: { recipientRole: string; recipientId: string }[]): Promise<Map<string, string>> {
  const idsOf = (role: string) => [...new Set(messages.filter((m) => m.recipientRole === role).map((m) => m.recipientId))];
  const families = await db().family.findMany({ where: { id: { in: idsOf('FAMILY') } }, select: { id: true, name: true } });
  const providers = await db().provider.findMany({ where: { id: { in: idsOf('PROVIDER') } }, select: { id: true, name: true } });
  return new Map([...families, ...providers].map((r) => [r.id, r.name]));
}

export async function listNotifications(principal: Principal, q: { status?: 'PENDING' | 'ROUTED' | 'SENT' | 'FAILED'; limit: number; cursor?: string }) {
  const { role, id } = recipientOf(principal);
  const scope = principal.role === 'COORDINATOR' ? { OR: [{ authorityId: principal.authorityId }, { recipientRole: role, recipientId: id }] } : { recipientRole: role, recipientId: id };
  // Another carer's or colleague's address is theirs: a member sees their own deliveries.
  const deliveriesSeen = principal.role !== 'COORDINATOR' && principal.personId ? { OR: [{ personId: principal.personId }, { personId: null }] } : {};
  const rows = await db().notification.findMany({
    where: { AND: [scope, q.status ? { status: q.status } : {}] },
    include: { deliveries: { where: deliveriesSeen, include: { person: { select: { name: true } } }, orderBy: [{ channel: 'asc' }, { createdAt: 'asc' }] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  return paginate(rows, q.limit, (n) => ({
    id: n.id,
    kind: n.kind,
    recipientRole: n.recipientRole,
    recipientId: n.recipientId,
    subject: n.subject,
    link: n.link,
    status: n.status,
    lastError: n.lastError,
    createdAt: n.createdAt.toISOString(),
    sentAt: n.sentAt?.toISOString() ?? null,
    deliveries: n.deliveries.map((d) => ({ personId: d.personId, personName: d.person?.name ?? null, channel: d.channel, status: d.status, address: d.address, attempts: d.attempts, lastError: d.lastError, notBefore: d.notBefore.toISOString(), sentAt: d.sentAt?.toISOString() ?? null })),
  }));
}
