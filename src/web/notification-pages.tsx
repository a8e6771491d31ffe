/**
 * Pages about messages: everyone's "How we contact you" (the signed-in
 * person's own channel per kind of message, quiet hours for texts and mobile
 * number). The coordinators' messages that could not be delivered are in
 * coordinator/messages.tsx.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { CHANNEL_CHOICES, type ChannelChoice } from '../domain/notification-kinds.js';
import { UpdatePreferencesBody } from '../schemas/notifications.js';
import { getPreferences, organisationContact, recipientOf, updatePreferences } from '../services/notification-preferences.js';
import { Button, Choices, Csrf, ErrorBox, Layout, Notice, addNavItem, type PageError } from './layout.js';
import { parseWith, readForm, text, type FormValues } from './forms.js';
import type { WebEnv } from './session.js';
import { refusal } from './shared/form-action.js';

export const notificationPages = new Hono<WebEnv>();

const signedIn = createMiddleware<WebEnv>(async (c, next) => {
  if (!c.get('session')) return c.redirect('/?expired=1', 303);
  await next();
});
notificationPages.use('/preferences', signedIn);

for (const role of ['COORDINATOR', 'PROVIDER', 'FAMILY'] as const) addNavItem(role, { href: '/preferences', label: 'How we contact you' });

const CHOICE_WORDS: Record<ChannelChoice, string> = { EMAIL: 'Email', SMS: 'Text message', BOTH: 'Email and text message', NONE: 'Do not send' };

const OTHERS: Record<'FAMILY' | 'PROVIDER' | 'COORDINATOR', { others: string; organisation: string }> = {
  FAMILY: { others: 'Other parents and carers of your family choose their own.', organisation: 'your family’s' },
  PROVIDER: { others: 'Your colleagues choose their own.', organisation: 'your provider’s' },
  COORDINATOR: { others: 'Other coordinators in your team choose their own.', organisation: 'your team’s' },
};

async function preferencesPage(c: Context<WebEnv>, options: { error?: PageError; saved?: boolean; form?: FormValues } = {}) {
  const p = c.get('session')!;
  const prefs = await getPreferences(p);
  const { role } = recipientOf(p);
  const contact = await organisationContact(p);
  const csrf = c.get('csrfToken');
  const chosen = (kind: string, current: ChannelChoice) => (options.form ? text(options.form, `channel-${kind}`) || current : current);
  const words = OTHERS[role];
  return c.html(
    <Layout title="How we contact you" session={p} csrf={csrf} current="/preferences">
      <ErrorBox error={options.error} />
      <Notice text={options.saved ? 'Your choices are saved.' : null} />
      {prefs.person ? (
        <p class="govuk-body">
          These are your own choices, {prefs.person.name}. {words.others} Email goes to <strong>{prefs.person.email ?? contact?.email ?? 'no email address yet'}</strong> and text messages to{' '}
          <strong>{prefs.person.mobile ?? (contact?.phone ? `${words.organisation} number, ${contact.phone}` : 'no mobile number yet')}</strong>.
        </p>
      ) : (
        <p class="govuk-body">
          These are {words.organisation} choices: each person who signs in chooses their own, and follows these until they do. Email goes to <strong>{contact?.email ?? 'no email address yet'}</strong> and text
          messages to <strong>{contact?.phone ?? 'no mobile number yet'}</strong>. Ask your short-breaks team to change these.
        </p>
      )}
      <form method="post" action="/preferences" novalidate>
        <Csrf token={csrf} />
        {prefs.kinds.map((k) => (
          <Choices
            type="radio"
            name={`channel-${k.kind}`}
            inline
            legend={k.title}
            hint={`${k.trigger}.${k.required ? ' This notice is always sent, so it cannot be turned off.' : ''}`}
            options={CHANNEL_CHOICES.filter((choice) => !(k.required && choice === 'NONE')).map((choice) => [choice, CHOICE_WORDS[choice]] as const)}
            checked={(choice) => chosen(k.kind, k.channel) === choice}
          />
        ))}
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset" aria-describedby="quiet-hint">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Quiet hours for text messages</legend>
            <div class="govuk-hint" id="quiet-hint">
              No text message arrives between these times (24-hour clock, for example 21:00 and 08:00); it waits until they end. Leave both empty for none. Email is not held back.
            </div>
            <label class="govuk-label" for="quiet-start">
              From
            </label>
            <input class="govuk-input govuk-input--width-5" id="quiet-start" name="quietStart" type="text" inputmode="numeric" value={options.form ? text(options.form, 'quietStart') : (prefs.quietHours?.start ?? '')} />
            <label class="govuk-label" for="quiet-end">
              Until
            </label>
            <input class="govuk-input govuk-input--width-5" id="quiet-end" name="quietEnd" type="text" inputmode="numeric" value={options.form ? text(options.form, 'quietEnd') : (prefs.quietHours?.end ?? '')} />
          </fieldset>
        </div>
        {prefs.person ? (
          <div class="govuk-form-group">
            <label class="govuk-label govuk-label--s" for="mobile">
              Your mobile number
            </label>
            <div class="govuk-hint" id="mobile-hint">
              For text messages to you. Leave it empty to be texted on {words.organisation} number{contact?.phone ? ` (${contact.phone})` : ''}.
            </div>
            <input class="govuk-input govuk-input--width-20" id="mobile" name="mobile" type="tel" autocomplete="tel" aria-describedby="mobile-hint" value={options.form ? text(options.form, 'mobile') : (prefs.person.mobile ?? '')} />
          </div>
        ) : null}
        <Button>Save my choices</Button>
      </form>
    </Layout>,
    options.error ? 422 : 200,
  );
}

notificationPages.get('/preferences', (c) => preferencesPage(c, { saved: c.req.query('saved') === '1' }));

notificationPages.post('/preferences', async (c) => {
  const p = c.get('session')!;
  const form = await readForm(c);
  const prefs = await getPreferences(p);
  const channels = Object.fromEntries(prefs.kinds.flatMap((k) => (text(form, `channel-${k.kind}`) ? [[k.kind, text(form, `channel-${k.kind}`)]] : [])));
  const start = text(form, 'quietStart');
  const end = text(form, 'quietEnd');
  try {
    const mobile = prefs.person ? { mobile: text(form, 'mobile') || null } : {};
    const body = parseWith(UpdatePreferencesBody, { channels, quietHours: !start && !end ? null : { start, end }, ...mobile });
    await updatePreferences(p, body);
  } catch (err) {
    return preferencesPage(c, { error: refusal(err), form });
  }
  return c.redirect('/preferences?saved=1', 303);
});
