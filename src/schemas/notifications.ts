import { z } from '@hono/zod-openapi';
import { CHANNEL_CHOICES, KIND_NAMES } from '../domain/notification-kinds.js';
import { isWallTime } from '../domain/notification-schedule.js';
import { PageQuery } from './paging.js';
import { Instant } from './common.js';

export const ChannelChoiceSchema = z.enum(CHANNEL_CHOICES).openapi('ChannelChoice', { description: 'How a kind of message reaches the person' });
export const NotificationKindSchema = z.enum(KIND_NAMES as [string, ...string[]]).openapi('NotificationKind');
const WallTime = z.string().refine(isWallTime, 'must be HH:MM (24-hour, London time)').openapi({ example: '21:00' });

/** A mobile number GOV.UK Notify can text: a UK mobile, with or without spaces. */
export const Mobile = z
  .string()
  .trim()
  .refine((s) => /^(?:\+44|0044|0)7\d{9}$/.test(s.replace(/[\s()-]/g, '')), 'a UK mobile number, for example 07700 900123')
  .openapi({ example: '07700 900123' });

export const PreferencesSchema = z
  .object({
    person: z
      .object({ id: z.string(), name: z.string(), email: z.string().nullable(), mobile: z.string().nullable() })
      .nullable()
      .openapi({ description: 'Whose choices these are: the signed-in person’s own. Null for a credential without a person: then they are the organisation’s, which its members follow until they choose' }),
    kinds: z.array(
      z.object({
        kind: NotificationKindSchema,
        title: z.string(),
        trigger: z.string(),
        required: z.boolean().openapi({ description: 'Always sent; it cannot be turned off' }),
        defaultChannel: ChannelChoiceSchema,
        channel: ChannelChoiceSchema,
      }),
    ),
    quietHours: z.object({ start: WallTime, end: WallTime }).nullable().openapi({ description: 'No text messages between these London times' }),
  })
  .openapi('NotificationPreferences');

export const UpdatePreferencesBody = z
  .object({
    channels: z.record(z.string().max(60), ChannelChoiceSchema).optional().openapi({ description: 'Kind of message → channel; kinds left out keep their setting' }),
    quietHours: z.object({ start: WallTime, end: WallTime }).strict().nullable().optional().openapi({ description: 'null turns quiet hours off' }),
    mobile: Mobile.nullable().optional().openapi({ description: 'Your own mobile for text messages; null removes it (texts then go to your family’s or organisation’s number)' }),
  })
  .strict()
  .openapi('UpdateNotificationPreferences');
export type UpdatePreferencesInput = z.infer<typeof UpdatePreferencesBody>;

export const DeliverySchema = z.object({
  personId: z.string().nullable().openapi({ description: 'The member person it went to; null: the organisation’s shared contacts' }),
  personName: z.string().nullable(),
  channel: z.enum(['EMAIL', 'SMS']),
  status: z.enum(['PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED']),
  address: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  notBefore: Instant,
  sentAt: Instant.nullable(),
});

export const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    recipientRole: z.enum(['COORDINATOR', 'PROVIDER', 'FAMILY', 'TRANSPORT', 'PERSON', 'INVITATION']),
    recipientId: z.string(),
    subject: z.string(),
    link: z.string().nullable(),
    status: z.enum(['PENDING', 'ROUTED', 'SENT', 'FAILED']),
    lastError: z.string().nullable(),
    createdAt: Instant,
    sentAt: Instant.nullable(),
    deliveries: z.array(DeliverySchema),
  })
  .openapi('Notification');

export const NotificationQuery = PageQuery.extend({
  status: z.enum(['PENDING', 'ROUTED', 'SENT', 'FAILED']).optional().openapi({ description: 'FAILED: messages that could not be delivered and need a person' }),
});
