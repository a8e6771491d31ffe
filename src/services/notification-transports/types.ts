/**
 * What a transport is given and how it answers. A transport sends one message
 * on one channel; the delivery service (../notification-delivery.ts) decides
 * when, retries, and records the outcome.
 */
import type { NotificationKind } from '../../domain/notification-kinds.js';

export type Channel = 'EMAIL' | 'SMS';

export interface OutgoingMessage {
  /** The delivery's id: the idempotency reference the transport quotes (Notify `reference`, SMTP Message-ID). */
  reference: string;
  channel: Channel;
  to: string;
  kind: NotificationKind;
  subject: string;
  /** Email text. */
  text: string;
  /** Text-message text. */
  sms: string;
  personalisation: Record<string, string>;
}

export interface ChannelTransport {
  readonly name: string;
  /** Resolves with the transport's id for the message; throws PermanentDeliveryError when retrying cannot help. */
  send(m: OutgoingMessage): Promise<{ providerRef: string | null }>;
  /**
   * Whether a message with this reference was already accepted (a worker may
   * have died after sending and before recording it). Transports that cannot
   * tell leave it out, and such a message is sent again with the same reference.
   */
  alreadySent?(m: OutgoingMessage): Promise<string | null>;
}

/** The receiving side refused the message for good (a 400 from Notify, a 5xx SMTP reply): do not retry. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
