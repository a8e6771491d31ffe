/**
 * A coordinator's emergency access to a child's passport: the family decides
 * who sees it, so the council's team reads it only here, with a reason, for a
 * few hours; the family is told at once and sees the reason and every read.
 */
import { Hono, type Context } from 'hono';
import { ApiError } from '../../errors.js';
import { EmergencyAccessBody } from '../../schemas/passport.js';
import { getChild } from '../../services/families.js';
import { getPassport, grantEmergencyAccess, providersToShareWith } from '../../services/passports.js';
import { Csrf, ErrorBox, Layout, Notice, errorMessage, when } from '../layout.js';
import { integer, optional, parseWith, readForm, type FormValues } from '../forms.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { PassportSections, SupportFlagBanner } from '../shared/passport.js';
import { refusal } from '../shared/form-action.js';
import { ProviderOptions } from '../shared/providers.js';

export const emergencyPassportPages = new Hono<WebEnv>();
emergencyPassportPages.use('/coordinator/children/*', requirePage('COORDINATOR'));

async function page(c: Context<WebEnv>, form: FormValues = {}, error?: ReturnType<typeof errorMessage>) {
  const p = principalOf(c, 'COORDINATOR');
  const childId = c.req.param('id') ?? '';
  const child = await getChild(p, childId, 'PAGE');
  // Open only while an override runs; otherwise the service refuses (403) and the form is shown.
  const open = await getPassport(p, childId, 'PAGE').catch((err) => {
    if (err instanceof ApiError && err.code === 'FORBIDDEN') return null;
    throw err;
  });
  const find = (c.req.query('find') ?? '').slice(0, 100);
  const providers = open ? [] : await providersToShareWith({ id: childId, authorityId: p.authorityId }, find);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`${child.firstName} ${child.lastName}: medical passport`} session={p} csrf={csrf} current="/coordinator/ledger">
      <Notice text={c.req.query('done') === 'opened' ? `The passport is open. ${child.firstName}'s family has been told, with your reason.` : null} />
      <ErrorBox error={error} />
      <SupportFlagBanner flag={child.supportFlag} name={child.firstName} />
      {open ? (
        <>
          <p class="hint">Open under an emergency override. The family sees that you read it{open.updatedAt ? `; last updated by the family ${when(open.updatedAt)}` : ''}.</p>
          <PassportSections passport={open.passport} />
        </>
      ) : (
        <>
          <p>
            The family decides who sees {child.firstName}'s passport; the council's team does not see it. In an emergency you can open it for a few
            hours, to yourself and if needed to one provider (for example where {child.firstName} is now). You must give a reason: it is recorded, and
            the family is told straight away.
          </p>
          <form method="get" action={`/coordinator/children/${childId}/passport`}>
            <label for="find">Find the provider to open it to, if it is not listed below</label>
            <input type="search" id="find" name="find" value={find} maxlength={100} />
            <button type="submit" class="secondary">
              Find
            </button>
          </form>
          <form method="post" action={`/coordinator/children/${childId}/passport`}>
            <Csrf token={csrf} />
            <label for="reason">Why is this an emergency?</label>
            <textarea id="reason" name="reason" rows={3} maxlength={1000} required>
              {typeof form.reason === 'string' ? form.reason : ''}
            </textarea>
            <label for="providerId">Also open it to (optional)</label>
            <select id="providerId" name="providerId">
              <ProviderOptions providers={providers} none="No provider: only the council's team" />
            </select>
            <label for="hours">For how many hours (1 to 72)</label>
            <input type="number" id="hours" name="hours" min="1" max="72" value="24" />
            <div>
              <button type="submit" class="warning">
                Open the passport in an emergency
              </button>
            </div>
          </form>
        </>
      )}
    </Layout>,
    error ? 422 : 200,
  );
}

emergencyPassportPages.get('/coordinator/children/:id/passport', (c) => page(c));
emergencyPassportPages.post('/coordinator/children/:id/passport', async (c) => {
  const form = await readForm(c);
  const childId = c.req.param('id');
  try {
    const input = parseWith(EmergencyAccessBody, { reason: optional(form, 'reason') ?? '', providerId: optional(form, 'providerId'), hours: integer(form, 'hours') });
    await grantEmergencyAccess(principalOf(c, 'COORDINATOR'), childId, input);
  } catch (err) {
    return page(c, form, refusal(err));
  }
  return c.redirect(`/coordinator/children/${childId}/passport?done=opened`, 303);
});
