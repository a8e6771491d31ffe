/**
 * Every kind of message the service sends: who gets it, whether the person
 * may turn it off, how it goes by default, the facts it carries (the GOV.UK
 * Notify personalisation, one placeholder per field) and its words for email
 * and for a text message. Pure: the services fill the fields, the transports
 * send what `renderMessage` returns, and the README's table of templates is
 * this file read aloud.
 */
import { z } from 'zod';

/** PERSON: one person, by their own email (sign-in and invitations), not an organisation's contacts. */
export type Audience = 'FAMILY' | 'PROVIDER' | 'COORDINATOR' | 'PERSON';
export type ChannelChoice = 'EMAIL' | 'SMS' | 'BOTH' | 'NONE';
export const CHANNEL_CHOICES = ['EMAIL', 'SMS', 'BOTH', 'NONE'] as const satisfies readonly ChannelChoice[];

type Fields = Record<string, string>;

interface KindSpec {
  audience: Audience;
  /** What the person is told, for the preferences page. */
  title: string;
  /** What makes the service send it. */
  trigger: string;
  /**
   * Notices the authority has to give whatever the person chose (a break
   * taken away, a closure's consequences, a change to the care a provider
   * gives): they go by email, or by text where there is no email.
   */
  required: boolean;
  defaultChannel: ChannelChoice;
  /** Personalisation field names; every message of the kind carries each one. */
  fields: readonly string[];
  subject: (f: Fields) => string;
  /** Email body: the facts, one per line. The link to act is added by renderMessage. */
  body: (f: Fields) => string;
  /** A text message: one or two sentences (the link is added by renderMessage). */
  sms: (f: Fields) => string;
}

const lines = (...xs: (string | false | null | undefined)[]) => xs.filter((x): x is string => Boolean(x)).join('\n');
const journey = (f: Fields) => (f.journey ? `Journey: ${f.journey}` : null);

/**
 * What a round gave a child, in the words its explanation uses ('2 nights', '1 night and 3 day sessions'):
 * a weekend is two nights, and calling it '2 break(s)' beside 'Asked for 2 nights, got 2' read as two weekends.
 */
export function breaksInWords(nights: number, daySessions: number): string {
  const words = [nights ? `${nights} night${nights === 1 ? '' : 's'}` : null, daySessions ? `${daySessions} day session${daySessions === 1 ? '' : 's'}` : null].filter(Boolean);
  return words.length ? words.join(' and ') : 'nothing this time';
}

export const NOTIFICATION_KINDS = {
  ALLOCATION_RESULT: {
    audience: 'FAMILY',
    title: 'Allocation results',
    trigger: 'A coordinator publishes an allocation round that included your request',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'breaks_allocated', 'explanation'],
    subject: (f) => `Short-break allocation for ${f.child_name}: ${f.breaks_allocated}`,
    body: (f) => f.explanation!,
    sms: (f) => `Short-break allocation for ${f.child_name}: ${f.breaks_allocated}.`,
  },
  PLACE_OFFERED: {
    audience: 'FAMILY',
    title: 'A place offered from the waiting list',
    trigger: 'A place frees up at a break your child is waiting for',
    required: false,
    defaultChannel: 'BOTH',
    fields: ['child_name', 'provider_name', 'break_date', 'start_time', 'journey', 'deadline'],
    subject: (f) => `A short-break place is available for ${f.child_name}`,
    body: (f) =>
      lines(
        `A place at ${f.provider_name} on ${f.break_date} from ${f.start_time} is being held for ${f.child_name}.`,
        journey(f),
        `Accept it by ${f.deadline}, or it passes to the next family.`,
      ),
    sms: (f) => `A short-break place at ${f.provider_name} on ${f.break_date} is held for ${f.child_name} until ${f.deadline}.`,
  },
  REHOMING_OUTCOME: {
    audience: 'FAMILY',
    title: 'What happens to a break when a provider closes',
    trigger: 'A closure is applied and your child had a break there',
    required: true,
    defaultChannel: 'BOTH',
    fields: ['child_name', 'provider_name', 'break_date', 'outcome', 'explanation'],
    subject: (f) => `${f.child_name}'s short break on ${f.break_date}: ${f.provider_name} is closing`,
    body: (f) => lines(`Outcome: ${f.outcome}.`, f.explanation),
    sms: (f) => `${f.provider_name} is closing. ${f.child_name}'s break on ${f.break_date}: ${f.outcome}.`,
  },
  CONSULTATION_INVITATION: {
    audience: 'FAMILY',
    title: 'A say in where your child goes when a provider closes',
    trigger: 'A coordinator opens a consultation on a closure that affects your child',
    required: true,
    defaultChannel: 'BOTH',
    fields: ['child_name', 'provider_name', 'closing_date', 'respond_by'],
    subject: (f) => `${f.provider_name} is closing: tell us where ${f.child_name} could go instead`,
    body: (f) =>
      lines(
        `${f.provider_name} is closing from ${f.closing_date}.`,
        `Please rank the places that can meet ${f.child_name}'s needs by ${f.respond_by}.`,
      ),
    sms: (f) => `${f.provider_name} is closing from ${f.closing_date}. Please rank other places for ${f.child_name} by ${f.respond_by}.`,
  },
  SWAP_PROPOSED: {
    audience: 'FAMILY',
    title: 'A family asks to swap a break with you',
    trigger: 'Another family proposes a swap for one of your breaks',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'your_break', 'their_break'],
    subject: (f) => `A family would like to swap ${f.child_name}'s break`,
    body: (f) => lines(`They offer: ${f.their_break}.`, `In exchange for: ${f.your_break}.`, 'Accept or decline the swap.'),
    sms: (f) => `A family would like to swap ${f.child_name}'s break (${f.your_break}) for theirs (${f.their_break}).`,
  },
  SWAP_ANSWERED: {
    audience: 'FAMILY',
    title: 'An answer to a swap',
    trigger: 'A swap you are part of is accepted, approved, declined or withdrawn',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'your_break', 'answer'],
    subject: (f) => `Swap for ${f.child_name}'s break: ${f.answer}`,
    body: (f) => lines(`The swap of ${f.your_break} was ${f.answer}.`),
    sms: (f) => `The swap of ${f.child_name}'s break (${f.your_break}) was ${f.answer}.`,
  },
  BOOKING_CANCELLED: {
    audience: 'FAMILY',
    title: 'A break cancelled',
    trigger: 'A break of your child is cancelled by someone other than you',
    required: true,
    defaultChannel: 'BOTH',
    fields: ['child_name', 'provider_name', 'break_date', 'reason'],
    subject: (f) => `${f.child_name}'s short break on ${f.break_date} is cancelled`,
    body: (f) => lines(`The break at ${f.provider_name} on ${f.break_date} is cancelled.`, `Reason: ${f.reason}`),
    sms: (f) => `${f.child_name}'s short break at ${f.provider_name} on ${f.break_date} is cancelled.`,
  },
  BREAK_REMINDER: {
    audience: 'FAMILY',
    title: 'A reminder before each break',
    trigger: 'Before each confirmed break (by default two days before and on the morning of the break)',
    required: false,
    defaultChannel: 'BOTH',
    fields: ['child_name', 'provider_name', 'break_date', 'start_time', 'address', 'pickup', 'when'],
    subject: (f) => `Reminder: ${f.child_name}'s short break ${f.when}`,
    body: (f) =>
      lines(
        `${f.child_name}'s break at ${f.provider_name} starts ${f.break_date} at ${f.start_time}.`,
        `Address: ${f.address}`,
        `Transport: ${f.pickup}`,
      ),
    sms: (f) => `Reminder: ${f.child_name}'s short break at ${f.provider_name} starts ${f.when} at ${f.start_time}. ${f.pickup}`,
  },
  PASSPORT_EMERGENCY_ACCESS: {
    audience: 'FAMILY',
    title: "Your child's passport opened in an emergency",
    trigger: "A coordinator opens your child's medical passport in an emergency",
    required: true,
    defaultChannel: 'BOTH',
    fields: ['child_name', 'opened_to', 'until', 'reason'],
    subject: (f) => `${f.child_name}'s passport was opened in an emergency`,
    body: (f) =>
      lines(
        `Your council's short-breaks team opened ${f.child_name}'s medical passport to ${f.opened_to} until ${f.until}.`,
        `The reason they gave: "${f.reason}".`,
        'Every read is in the list of who has seen the passport.',
      ),
    sms: (f) => `${f.child_name}'s medical passport was opened in an emergency, until ${f.until}.`,
  },
  ARRIVALS_TOMORROW: {
    audience: 'PROVIDER',
    title: "Tomorrow's arrivals",
    trigger: 'The afternoon before each day with arrivals',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['arrival_date', 'arrivals_count', 'arrivals'],
    subject: (f) => `${f.arrivals_count} arrival(s) on ${f.arrival_date}`,
    body: (f) => lines(`Children arriving on ${f.arrival_date}, with how to support each:`, f.arrivals),
    sms: (f) => `${f.arrivals_count} child(ren) arrive on ${f.arrival_date}. Details and support flags are in the app.`,
  },
  PASSPORT_CHANGED: {
    audience: 'PROVIDER',
    title: "A booked child's medical passport changed",
    trigger: "A family or coordinator changes the passport or needs of a child booked with you",
    required: true,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'next_break', 'changed'],
    subject: (f) => `${f.child_name}'s passport has changed before the break on ${f.next_break}`,
    body: (f) => lines(`Changed: ${f.changed}.`, `Next break with you: ${f.next_break}.`, 'Read the passport before the break.'),
    sms: (f) => `${f.child_name}'s medical passport changed (${f.changed}) before their break on ${f.next_break}.`,
  },
  PROVIDER_BOOKING_CANCELLED: {
    audience: 'PROVIDER',
    title: 'A booking cancelled',
    trigger: 'A booking with you is cancelled',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'break_date', 'cancelled_by'],
    subject: (f) => `Cancelled: ${f.child_name} on ${f.break_date}`,
    body: (f) => lines(`${f.child_name}'s break on ${f.break_date} was cancelled by ${f.cancelled_by}. The place is free again.`),
    sms: (f) => `Cancelled: ${f.child_name}'s break on ${f.break_date} (by ${f.cancelled_by}).`,
  },
  NEW_BOOKING: {
    audience: 'PROVIDER',
    title: 'A child moved to you from a closing provider',
    trigger: 'A closure moves a booked child to one of your breaks',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'break_date'],
    subject: (f) => `New booking: ${f.child_name} (moved from a closing provider)`,
    body: (f) => `${f.child_name} joins you on ${f.break_date}. Their medical passport is available with the booking.`,
    sms: (f) => `New booking: ${f.child_name} joins you on ${f.break_date}.`,
  },
  CLOSURE_COMPLETED: {
    audience: 'PROVIDER',
    title: 'Your closure has been applied',
    trigger: 'The re-homing plan of your closure has been applied',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['summary'],
    subject: () => 'Re-homing plan for your closure is complete',
    body: (f) => f.summary!,
    sms: (f) => `Your closure's re-homing plan is complete: ${f.summary}`,
  },
  DELIVERY_FAILED: {
    audience: 'COORDINATOR',
    title: 'A message could not be delivered',
    trigger: 'An email or text message is refused for good, or runs out of attempts',
    required: true,
    defaultChannel: 'EMAIL',
    fields: ['recipient', 'message_subject', 'channel', 'error'],
    subject: (f) => `Undeliverable ${f.channel}: ${f.message_subject}`,
    body: (f) => lines(`A ${f.channel} to ${f.recipient} could not be delivered: ${f.error}`, `Message: ${f.message_subject}`, 'Please contact them another way.'),
    sms: (f) => `A ${f.channel} to ${f.recipient} could not be delivered.`,
  },
  CLOSURE_LEFT_WAITING: {
    audience: 'COORDINATOR',
    title: 'A closure left children waiting',
    trigger: 'A closure is applied and some children have no new place',
    required: true,
    defaultChannel: 'EMAIL',
    fields: ['provider_name', 'waiting_count', 'children'],
    subject: (f) => `${f.waiting_count} child(ren) still waiting after ${f.provider_name}'s closure`,
    body: (f) => lines(`No place could be found for:`, f.children),
    sms: (f) => `${f.waiting_count} child(ren) still waiting after ${f.provider_name}'s closure.`,
  },
  CHILD_BEHIND_AWARD: {
    audience: 'COORDINATOR',
    title: 'A child falling behind its award',
    trigger: 'Once a month, for each child whose delivered and booked breaks fall behind its award for the time gone',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'awarded', 'delivered', 'expected_by_now', 'period'],
    subject: (f) => `${f.child_name} is behind their short-break award`,
    body: (f) => lines(`Award ${f.period}: ${f.awarded} night(s).`, `Delivered or booked: ${f.delivered}; expected by now: ${f.expected_by_now}.`),
    sms: (f) => `${f.child_name} is behind their award: ${f.delivered} of ${f.expected_by_now} night(s) expected by now.`,
  },
  BREAK_NOT_DELIVERED: {
    audience: 'COORDINATOR',
    title: 'A break not delivered',
    trigger: 'A provider records that it cancelled a break on the day',
    required: false,
    defaultChannel: 'EMAIL',
    fields: ['child_name', 'break_date'],
    subject: (f) => `Break not delivered: provider cancelled on the day (${f.child_name})`,
    body: (f) => `The provider cancelled the break starting ${f.break_date} on the day. It counts as not delivered.`,
    sms: (f) => `Break not delivered: ${f.child_name} on ${f.break_date}.`,
  },
  INVITATION: {
    audience: 'PERSON',
    title: 'An invitation to use the service',
    trigger: 'A coordinator invites you as a family’s parent or carer, or a provider’s manager invites you as staff',
    required: true,
    defaultChannel: 'EMAIL',
    fields: ['name', 'invited_by', 'invited_as', 'expires'],
    subject: (f) => `${f.invited_by} invites you to the short-breaks service`,
    body: (f) => lines(`Hello ${f.name},`, `${f.invited_by} invites you to use the short-breaks service as ${f.invited_as}.`, `Open the link to accept. It works once, until ${f.expires}.`),
    sms: (f) => `${f.invited_by} invites you to the short-breaks service as ${f.invited_as}.`,
  },
  SIGN_IN_LINK: {
    audience: 'PERSON',
    title: 'Your sign-in link',
    trigger: 'You ask to sign in with your email address',
    required: true,
    defaultChannel: 'EMAIL',
    fields: ['name', 'minutes'],
    subject: () => 'Your link to sign in to short breaks',
    body: (f) => lines(`Hello ${f.name},`, `Open the link to sign in. It works once, for ${f.minutes} minutes.`, 'If you did not ask to sign in, you can ignore this email.'),
    sms: (f) => `Your short-breaks sign-in link (works once, for ${f.minutes} minutes):`,
  },
} as const satisfies Record<string, KindSpec>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];
export const NotificationKindSchema = z.enum(KIND_NAMES as [NotificationKind, ...NotificationKind[]]);

export function kindSpec(kind: NotificationKind): KindSpec {
  return NOTIFICATION_KINDS[kind];
}

export const kindsFor = (audience: Audience) => KIND_NAMES.filter((k) => NOTIFICATION_KINDS[k].audience === audience);

/** The fields a kind needs, as a zod schema: a message missing one is a programming error caught where it is written. */
export function fieldsSchema(kind: NotificationKind) {
  return z.object(Object.fromEntries(kindSpec(kind).fields.map((name) => [name, z.string()]))).strict();
}

export interface RenderedMessage {
  subject: string;
  /** Email text, ending with the link to act. */
  text: string;
  sms: string;
  /** Everything a GOV.UK Notify template may use: the kind's fields plus subject, body and link. */
  personalisation: Record<string, string>;
}

/**
 * The message for one recipient. `link` is absolute (the caller adds the
 * public base URL); every message says where to act and where to change
 * how the person is told.
 */
export function renderMessage(kind: NotificationKind, fields: Fields, link: string, preferencesLink: string): RenderedMessage {
  const spec = kindSpec(kind);
  const subject = spec.subject(fields);
  const body = spec.body(fields);
  // Sign-in links and invitations are not messages a person chooses how to receive.
  const text = spec.audience === 'PERSON' ? `${body}\n\nOpen: ${link}\n` : `${body}\n\nOpen: ${link}\n\nChoose how you are told: ${preferencesLink}\n`;
  const sms = `${spec.sms(fields)} ${link}`;
  return { subject, text, sms, personalisation: { ...fields, subject, body, link } };
}

/** What a person chose for a kind, or the default; a required notice cannot be turned off. */
export function channelsFor(kind: NotificationKind, chosen: ChannelChoice | undefined, addresses: { email: boolean; sms: boolean }): ('EMAIL' | 'SMS')[] {
  const spec = kindSpec(kind);
  let choice = chosen ?? spec.defaultChannel;
  if (spec.required && choice === 'NONE') choice = spec.defaultChannel;
  const wanted: ('EMAIL' | 'SMS')[] = choice === 'BOTH' ? ['EMAIL', 'SMS'] : choice === 'NONE' ? [] : [choice];
  const reachable = wanted.filter((c) => (c === 'EMAIL' ? addresses.email : addresses.sms));
  // A required notice the chosen channel cannot reach goes by whichever channel can.
  if (spec.required && !reachable.length) {
    if (addresses.email) return ['EMAIL'];
    if (addresses.sms) return ['SMS'];
  }
  return wanted;
}

const AUDIENCE_WORDS: Record<Audience, string> = { FAMILY: 'family', PROVIDER: 'provider', COORDINATOR: 'coordinator', PERSON: 'the person, by their own email' };
const CHOICE_WORDS: Record<ChannelChoice, string> = { EMAIL: 'email', SMS: 'text', BOTH: 'both', NONE: 'none' };

/** The README's table of message kinds, read from this file (a test keeps the README equal to it). */
export function kindsTable(): string {
  const rows = KIND_NAMES.map((k) => {
    const s = kindSpec(k);
    return `| \`${k}\` | ${AUDIENCE_WORDS[s.audience]} | ${s.trigger} | ${s.required ? 'yes' : 'no'} | ${CHOICE_WORDS[s.defaultChannel]} | ${s.fields.map((f) => `\`${f}\``).join(', ')} |`;
  });
  return ['| kind | to | sent when | always sent | default | fields (personalisation) |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
