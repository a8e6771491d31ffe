/** The transport for each channel, chosen by configuration (NOTIFY_TRANSPORT for email, SMS_TRANSPORT for text messages). */
import { config } from '../../config.js';
import { govukNotifyTransport } from './govuk-notify.js';
import { logTransport } from './log.js';
import { smtpTransport } from './smtp.js';
import type { Channel, ChannelTransport } from './types.js';

export * from './types.js';

const overrides = new Map<Channel, ChannelTransport | undefined>();
const configured = new Map<Channel, ChannelTransport | null>();

/** Tests (and an operator's script) can put a transport in place of the configured one; undefined restores it. */
export function setChannelTransport(channel: Channel, t: ChannelTransport | undefined): void {
  overrides.set(channel, t);
}

function notifySettings() {
  const c = config();
  return {
    apiKey: c.GOVUK_NOTIFY_API_KEY!,
    baseUrl: c.GOVUK_NOTIFY_BASE_URL,
    emailTemplateId: c.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID,
    smsTemplateId: c.GOVUK_NOTIFY_SMS_TEMPLATE_ID,
    templates: c.GOVUK_NOTIFY_TEMPLATES,
  };
}

/** Null when the channel is switched off (SMS_TRANSPORT=none). */
export function transportFor(channel: Channel): ChannelTransport | null {
  const override = overrides.get(channel);
  if (override) return override;
  if (!configured.has(channel)) {
    const c = config();
    const name = channel === 'EMAIL' ? c.NOTIFY_TRANSPORT : c.SMS_TRANSPORT;
    configured.set(
      channel,
      name === 'none' ? null : name === 'smtp' ? smtpTransport(c.SMTP_URL!, c.NOTIFY_FROM) : name === 'govuk-notify' ? govukNotifyTransport(notifySettings(), channel) : logTransport,
    );
  }
  return configured.get(channel)!;
}
