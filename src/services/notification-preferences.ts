/**
 * How each person wants to be told: a channel per kind of message (email,
 * text, both or none; required notices cannot be turned off) and quiet hours
 * for text messages. Read by the delivery worker, set by the person through
 * the API or the preferences page.
 */
import type { UpdatePreferencesInput } from '../schemas/notifications.js';
import { db, type Tx } from '../db.js';
import { KIND_NAMES, kindSpec, kindsFor, type ChannelChoice, type NotificationKind } from '../domain/notification-kinds.js';
import { forbidden, invalid } from '../errors.js';
import type { Principal } from './access.js';
import { audit } from './audit.js';
import type { RecipientRole } from './notifications.js';
import { transaction } from './tx.js';
import { paginate } from '../schemas/paging.js';
import { NotificationChannelsColumn } from '../schemas/json-columns.js';


export interface Preferences {
  channels: Partial<Record<NotificationKind, ChannelChoice>>;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
}

export async function preferencesOf(tx: Tx, role: RecipientRole, id: string): Promise<Preferences> {
  // A person's own messages (sign-in links, invitations) are always sent by email: there is nothing to choose.
  if (role === 'PERSON' || role === 'INVITATION') return { channels: {}, quietHoursStart: null, quietHoursEnd: null };
  const row = await tx.notificationPreference.findUnique({ where: { recipientRole_recipientId: { recipientRole: role, recipientId: id } } });
  // Kinds from older versions are dropped.
  const stored = NotificationChannelsColumn.parse(row?.channels ?? {});
  const channels = Object.fromEntries(Object.entries(stored).filter(([k]) => (KIND_NAMES as string[]).includes(k))) as Preferences['channels'];
  return { channels, quietHoursStart: row?.quietHoursStart ?? null, quietHoursEnd: row?.quietHoursEnd ?? null };
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
  kinds: { kind: NotificationKind; title: string; trigger: string; required: boolean; defaultChannel: ChannelChoice; channel: ChannelChoice }[];
  quietHours: { start: string; end: string } | null;
}

export async function getPreferences(principal: Principal): Promise<PreferencesView> {
  const { role, id } = recipientOf(principal);
  const prefs = await preferencesOf(db(), role, id);
  return {
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
  if (problems.length) throw invalid(problems, 'Some preferences cannot be set');
  if (input.quietHours && input.quietHours.start === input.quietHours.end) {
    throw invalid([{ path: 'quietHours', message: 'start and end are the same time' }], 'Quiet hours must start and end at different times');
  }
  await transaction(async (tx) => {
    const current = await preferencesOf(tx, role, id);
    const channels = { ...current.channels, ...(input.channels ?? {}) };
    const quiet = input.quietHours === undefined ? { quietHoursStart: current.quietHoursStart, quietHoursEnd: current.quietHoursEnd } : { quietHoursStart: input.quietHours?.start ?? null, quietHoursEnd: input.quietHours?.end ?? null };
    await tx.notificationPreference.upsert({
      where: { recipientRole_recipientId: { recipientRole: role, recipientId: id } },
      create: { recipientRole: role, recipientId: id, channels, ...quiet },
      update: { channels, ...quiet },
    });
    await audit(tx, principal, { action: 'notification_preferences.updated', entityType: role === 'COORDINATOR' ? 'Authority' : role === 'FAMILY' ? 'Family' : 'Provider', entityId: id, authorityId: principal.role === 'PROVIDER' || principal.role === 'ADMIN' ? null : principal.authorityId, after: { channels, ...quiet } });
  });
  return getPreferences(principal);
}

/** Messages the principal may read: its own; a coordinator also every message of its authority (to follow up failures). */
export async function listNotifications(principal: Principal, q: { status?: 'PENDING' | 'ROUTED' | 'SENT' | 'FAILED'; limit: number; cursor?: string }) {
  const { role, id } = recipientOf(principal);
  const scope = principal.role === 'COORDINATOR' ? { OR: [{ authorityId: principal.authorityId }, { recipientRole: role, recipientId: id }] } : { recipientRole: role, recipientId: id };
  const rows = await db().notification.findMany({
    where: { AND: [scope, q.status ? { status: q.status } : {}] },
    include: { deliveries: { orderBy: { channel: 'asc' } } },
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
    deliveries: n.deliveries.map((d) => ({ channel: d.channel, status: d.status, address: d.address, attempts: d.attempts, lastError: d.lastError, notBefore: d.notBefore.toISOString(), sentAt: d.sentAt?.toISOString() ?? null })),
  }));
}
