/**
 * Email and SMS through GOV.UK Notify with the official client
 * (notifications-node-client). Each kind may have its own template
 * (GOVUK_NOTIFY_TEMPLATES); otherwise the generic template gets the rendered
 * subject, body, link and text message as personalisation (README, "GOV.UK
 * Notify templates"). The delivery id is Notify's `reference`, so after a
 * worker died mid-send the service asks Notify whether it already has the
 * message before sending again.
 */
import { NotifyClient } from 'notifications-node-client';
import type { Channel, ChannelTransport, OutgoingMessage } from './types.js';
import { PermanentDeliveryError } from './types.js';

export interface NotifySettings {
  apiKey: string;
  baseUrl: string;
  emailTemplateId?: string;
  smsTemplateId?: string;
  templates: Record<string, { email?: string; sms?: string }>;
}

interface AxiosLikeError {
  response?: { status: number; data?: { errors?: { error: string; message: string }[] } };
  message: string;
}

function describe(err: AxiosLikeError): string {
  const errors = err.response?.data?.errors;
  if (errors?.length) return `Notify ${err.response!.status}: ${errors.map((e) => `${e.error}: ${e.message}`).join('; ')}`;
  return err.response ? `Notify ${err.response.status}: ${err.message}` : `Notify unreachable: ${err.message}`;
}

/**
 * Notify's documented error codes: 400 (BadRequestError: bad number or
 * address, missing personalisation, trial mode) will fail the same way every
 * time; 403 (AuthError: key or clock) and 429 (rate limit) and 5xx are worth
 * retrying once someone fixes the key or the limit resets.
 */
function rethrow(err: unknown): never {
  const e = err as AxiosLikeError;
  if (e.response?.status === 400) throw new PermanentDeliveryError(describe(e));
  throw new Error(describe(e));
}

export function govukNotifyTransport(settings: NotifySettings, channel: Channel): ChannelTransport {
  const client = new NotifyClient(settings.baseUrl, settings.apiKey);
  const templateFor = (m: OutgoingMessage) => {
    const own = settings.templates[m.kind]?.[channel === 'EMAIL' ? 'email' : 'sms'];
    const id = own ?? (channel === 'EMAIL' ? settings.emailTemplateId : settings.smsTemplateId);
    if (!id) throw new PermanentDeliveryError(`no GOV.UK Notify ${channel.toLowerCase()} template configured for ${m.kind}`);
    return id;
  };
  return {
    name: `govuk-notify-${channel.toLowerCase()}`,
    async send(m) {
      const options = { personalisation: m.personalisation, reference: m.reference };
      try {
        const res = channel === 'EMAIL' ? await client.sendEmail(templateFor(m), m.to, options) : await client.sendSms(templateFor(m), m.to, options);
        return { providerRef: res.data.id };
      } catch (err) {
        if (err instanceof PermanentDeliveryError) throw err;
        rethrow(err);
      }
    },
    async alreadySent(m) {
      try {
        const res = await client.getNotifications(channel === 'EMAIL' ? 'email' : 'sms', undefined, m.reference);
        return res.data.notifications.find((n) => n.reference === m.reference)?.id ?? null;
      } catch (err) {
        rethrow(err);
      }
    },
  };
}
