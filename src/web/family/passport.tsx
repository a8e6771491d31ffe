/**
 * The family's passport page: read and correct the passport and the support
 * flag, choose which providers see it, and see who has ("who has seen Poppy's
 * passport"), including any emergency override.
 */
import { Hono, type Context } from 'hono';
import { getConsent, getPassport, listPassportReads, providersToShareWith, putPassport, setConsent } from '../../services/passports.js';
import { PutConsentBody, PutPassportBody, type Passport } from '../../schemas/passport.js';
import { Csrf, DataTable, ErrorBox, Layout, Notice, errorMessage, when } from '../layout.js';
import { optional, parseWith, readForm, text, type FormValues } from '../forms.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { PassportSections, SECTION_LABELS, SupportFlagBanner } from '../shared/passport.js';
import { refusal } from '../shared/form-action.js';

export const familyPassportPages = new Hono<WebEnv>();
familyPassportPages.use('/family/children/*', requirePage('FAMILY'));

type Err = ReturnType<typeof errorMessage> | undefined;
const DONE: Record<string, string> = {
  saved: 'The passport is saved. Providers of breaks still to come that you share it with have been told it changed.',
  consent: 'Your choice is saved.',
};
const BASIS: Record<string, string> = {
  BOOKING: 'they hold a booking',
  FAMILY_ALLOWED: 'you shared it with them',
  EMERGENCY: 'emergency override by the council',
  TRANSPORT_RUN: 'journey to or from a break',
};
const FREE_TEXT = ['communication', 'behaviours', 'calming', 'medical'] as const;
const BLANK_ROWS = 2;

/** Rows of a repeated group (`med.0.name`, `med.1.name`, …) where anything was typed. */
function rows(form: FormValues, prefix: string, fields: string[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < 40; i++) {
    const row = Object.fromEntries(fields.map((f) => [f, text(form, `${prefix}.${i}.${f}`)]));
    if (fields.every((f) => form[`${prefix}.${i}.${f}`] === undefined)) break;
    if (Object.values(row).some(Boolean)) out.push(row);
  }
  return out;
}
const opt = (s: string | undefined) => (s ? s : undefined);

/** The form as the API's body: empty sections are left out, lists keep only rows with something in them. */
export function passportFromForm(form: FormValues): unknown {
  const medication = rows(form, 'med', ['name', 'dose', 'times', 'notes']).map((m) => ({
    name: m.name,
    dose: m.dose,
    times: (m.times ?? '').split(/[,\s]+/).filter(Boolean),
    notes: opt(m.notes),
  }));
  const allergies = rows(form, 'allergy', ['substance', 'reaction']).map((a) => ({ substance: a.substance, reaction: opt(a.reaction) }));
  const emergencyContacts = rows(form, 'contact', ['name', 'relationship', 'phone']).map((e) => ({ name: e.name, relationship: opt(e.relationship), phone: e.phone }));
  const equipment = text(form, 'equipment').split('\n').map((l) => l.trim()).filter(Boolean);
  const gp = { name: text(form, 'gp.name'), practice: opt(text(form, 'gp.practice')), phone: opt(text(form, 'gp.phone')) };
  const passport: Record<string, unknown> = {};
  for (const k of FREE_TEXT) if (text(form, k)) passport[k] = text(form, k);
  if (medication.length) passport.medication = medication;
  if (allergies.length) passport.allergies = allergies;
  if (equipment.length) passport.equipment = equipment;
  if (emergencyContacts.length) passport.emergencyContacts = emergencyContacts;
  if (gp.name || gp.practice || gp.phone) passport.gp = gp;
  if (text(form, 'otherNotes')) passport.otherNotes = text(form, 'otherNotes');
  return { passport, supportFlag: optional(form, 'supportFlag') ?? null };
}

const Field = ({ id, label, value, hint }: { id: string; label: string; value?: string; hint?: string }) => (
  <>
    <label for={id}>{label}</label>
    {hint ? <p class="hint">{hint}</p> : null}
    <input type="text" id={id} name={id} value={value ?? ''} />
  </>
);

function EditForm({ passport: p, supportFlag, childId, csrf, name }: { passport: Passport; supportFlag: string | null; childId: string; csrf: string; name: string }) {
  const meds = [...(p.medication ?? []), ...Array.from({ length: BLANK_ROWS }, () => undefined)];
  const allergies = [...(p.allergies ?? []), ...Array.from({ length: BLANK_ROWS }, () => undefined)];
  const contacts = [...(p.emergencyContacts ?? []), ...Array.from({ length: BLANK_ROWS }, () => undefined)];
  return (
    <form method="post" action={`/family/children/${childId}/passport`}>
      <Csrf token={csrf} />
      <label for="supportFlag">How to support {name}, in one line</label>
      <p class="hint">Shown at the top of every provider page about {name}, and to drivers and escorts. At most 280 characters.</p>
      <input type="text" id="supportFlag" name="supportFlag" maxlength={280} value={supportFlag ?? ''} />
      {FREE_TEXT.map((k) => (
        <>
          <label for={k}>{SECTION_LABELS[k]}</label>
          <textarea id={k} name={k} rows={3} maxlength={2000}>
            {p[k] ?? ''}
          </textarea>
        </>
      ))}
      <fieldset>
        <legend>Medication</legend>
        <p class="hint">Times as 24-hour HH:MM separated by commas (for example 08:00, 20:00); leave empty for medication given only when needed.</p>
        {meds.map((m, i) => (
          <fieldset>
            <legend>Medicine {i + 1}</legend>
            <Field id={`med.${i}.name`} label="Name" value={m?.name} />
            <Field id={`med.${i}.dose`} label="Dose" value={m?.dose} />
            <Field id={`med.${i}.times`} label="Times" value={m?.times.join(', ')} />
            <Field id={`med.${i}.notes`} label="When or how (optional)" value={m?.notes} />
          </fieldset>
        ))}
      </fieldset>
      <fieldset>
        <legend>Allergies</legend>
        {allergies.map((a, i) => (
          <fieldset>
            <legend>Allergy {i + 1}</legend>
            <Field id={`allergy.${i}.substance`} label="Allergic to" value={a?.substance} />
            <Field id={`allergy.${i}.reaction`} label="Reaction (optional)" value={a?.reaction} />
          </fieldset>
        ))}
      </fieldset>
      <label for="equipment">Equipment (one item a line)</label>
      <textarea id="equipment" name="equipment" rows={3}>
        {(p.equipment ?? []).join('\n')}
      </textarea>
      <fieldset>
        <legend>Emergency contacts</legend>
        {contacts.map((e, i) => (
          <fieldset>
            <legend>Contact {i + 1}</legend>
            <Field id={`contact.${i}.name`} label="Name" value={e?.name} />
            <Field id={`contact.${i}.relationship`} label="Relationship (optional)" value={e?.relationship} />
            <Field id={`contact.${i}.phone`} label="Phone" value={e?.phone} />
          </fieldset>
        ))}
      </fieldset>
      <fieldset>
        <legend>GP</legend>
        <Field id="gp.name" label="GP's name" value={p.gp?.name} />
        <Field id="gp.practice" label="Practice (optional)" value={p.gp?.practice} />
        <Field id="gp.phone" label="Phone (optional)" value={p.gp?.phone} />
      </fieldset>
      <label for="otherNotes">Other notes</label>
      <textarea id="otherNotes" name="otherNotes" rows={4} maxlength={8000}>
        {p.otherNotes ?? ''}
      </textarea>
      <div>
        <button type="submit">Save passport</button>
      </div>
    </form>
  );
}

async function passportPage(c: Context<WebEnv>, error?: Err) {
  const p = principalOf(c, 'FAMILY');
  const childId = c.req.param('id') ?? '';
  const view = await getPassport(p, childId, 'PAGE');
  const find = (c.req.query('find') ?? '').slice(0, 100);
  const [consent, reads, providers] = await Promise.all([getConsent(p, childId), listPassportReads(p, childId, { limit: 100 }), providersToShareWith({ id: childId, authorityId: p.authorityId }, find)]);
  const csrf = c.get('csrfToken');
  const name = view.firstName;
  const chosen = new Set(consent.providers.map((e) => e.providerId));
  return c.html(
    <Layout title={`${name}'s medical passport`} session={p} csrf={csrf} current="/family">
      <Notice text={{ ...DONE }[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <SupportFlagBanner flag={view.supportFlag} name={name} />
      <PassportSections passport={view.passport} />
      <details open={!!error}>
        <summary>Correct {name}'s passport</summary>
        <EditForm passport={view.passport} supportFlag={view.supportFlag} childId={childId} csrf={csrf} name={name} />
      </details>

      <h2>Who can see it</h2>
      <p>
        Unless you choose otherwise, a provider sees {name}'s passport while it holds a booking for {name}. You can stop a provider seeing it, or
        share it with one before a visit. The council's short-breaks team cannot read it unless there is an emergency; if they open it, you are told
        why.
      </p>
      {consent.providers.length ? (
        <DataTable label="Providers and the passport" headers={['Provider', 'Booking', 'Your choice', 'Can see it now', 'Change']}>
          {consent.providers.map((e) => (
            <tr>
              <td>{e.providerName}</td>
              <td>{e.hasLiveBooking ? 'Yes' : 'No'}</td>
              <td>{e.decision === 'ALLOW' ? 'Shared' : e.decision === 'DENY' ? 'Not shared' : 'Default'}</td>
              <td>{e.canSee ? 'Yes' : 'No'}</td>
              <td>
                <form method="post" action={`/family/children/${childId}/consent`}>
                  <Csrf token={csrf} />
                  <input type="hidden" name="providerId" value={e.providerId} />
                  {e.decision !== 'DENY' ? (
                    <button type="submit" name="decision" value="DENY" class="secondary">
                      Stop {e.providerName} seeing it
                    </button>
                  ) : null}
                  {e.decision !== 'ALLOW' ? (
                    <button type="submit" name="decision" value="ALLOW" class="secondary">
                      Share with {e.providerName}
                    </button>
                  ) : null}
                  {e.decision ? (
                    <button type="submit" name="decision" value="DEFAULT" class="secondary">
                      Back to the default
                    </button>
                  ) : null}
                </form>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No provider holds a booking for {name} and you have not shared the passport with any.</p>
      )}
      <form method="get" action={`/family/children/${childId}/passport`}>
        <label for="find">Find a provider to share it with (for example one you are about to visit)</label>
        <input type="search" id="find" name="find" value={find} maxlength={100} />
        <button type="submit" class="secondary">
          Find
        </button>
      </form>
      {providers.some((pr) => !chosen.has(pr.id)) ? (
        <form method="post" action={`/family/children/${childId}/consent`}>
          <Csrf token={csrf} />
          <input type="hidden" name="decision" value="ALLOW" />
          <label for="share-provider">{find ? `Providers whose name contains "${find}"` : "Your council's homes and providers you have used"}</label>
          <select id="share-provider" name="providerId" required>
            {providers
              .filter((pr) => !chosen.has(pr.id))
              .map((pr) => (
                <option value={pr.id}>{pr.name}</option>
              ))}
          </select>
          <button type="submit" class="secondary">
            Share the passport
          </button>
        </form>
      ) : find ? (
        <p>No other provider's name contains "{find}".</p>
      ) : null}
      {consent.emergencyAccess.length ? (
        <>
          <h3>Emergency overrides</h3>
          <ul>
            {consent.emergencyAccess.map((o) => (
              <li>
                {when(o.createdAt)} until {when(o.expiresAt)}: "{o.reason}"{o.active ? ' (still open)' : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h2 id="seen">Who has seen {name}'s passport</h2>
      {reads.length ? (
        <DataTable label={`Who has seen ${name}'s passport`} headers={['When', 'Who', 'Organisation', 'How', 'What they saw', 'Why they could']}>
          {reads.slice(0, 100).map((r) => (
            <tr>
              <td>{when(r.at)}</td>
              <td>{r.who}</td>
              <td>{r.organisationName}</td>
              <td>{r.channel === 'PAGE' ? 'Web page' : 'Connected system (API)'}</td>
              <td>{r.level === 'FULL' ? 'Whole passport' : 'Communication, behaviours and what calms them'}</td>
              <td>{BASIS[r.basis] ?? r.basis}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>Nobody outside your family has seen it yet.</p>
      )}
    </Layout>,
    error ? 422 : 200,
  );
}

familyPassportPages.get('/family/children/:id/passport', (c) => passportPage(c));

familyPassportPages.post('/family/children/:id/passport', async (c) => {
  const form = await readForm(c);
  const childId = c.req.param('id');
  try {
    await putPassport(principalOf(c, 'FAMILY'), childId, parseWith(PutPassportBody, passportFromForm(form)));
  } catch (err) {
    return passportPage(c, refusal(err));
  }
  return c.redirect(`/family/children/${childId}/passport?done=saved`, 303);
});

familyPassportPages.post('/family/children/:id/consent', async (c) => {
  const form = await readForm(c);
  const childId = c.req.param('id');
  try {
    const decision = text(form, 'decision');
    const chosen = decision === 'DEFAULT' ? null : parseWith(PutConsentBody, { decision }).decision;
    await setConsent(principalOf(c, 'FAMILY'), childId, text(form, 'providerId'), chosen);
  } catch (err) {
    return passportPage(c, refusal(err));
  }
  return c.redirect(`/family/children/${childId}/passport?done=consent`, 303);
});
