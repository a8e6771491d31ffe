/** The family's copy of its data (subject access): ask for one, see it as a page, or download it as JSON. */
import { Hono, type Context } from 'hono';
import { getExport, listExports, requestExport } from '../../services/subject-access.js';
import type { FamilyExportData } from '../../schemas/json-columns.js';
import { Csrf, DataTable, ErrorBox, Layout, Notice, errorMessage, when } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { PassportSections } from '../shared/passport.js';
import { refusal } from '../shared/form-action.js';

export const familyDataPages = new Hono<WebEnv>();
familyDataPages.use('/family/data', requirePage('FAMILY'));
familyDataPages.use('/family/data/*', requirePage('FAMILY'));

const STATUS: Record<string, string> = { QUEUED: 'being prepared', COMPLETED: 'ready', FAILED: 'could not be prepared; ask again' };

async function dataPage(c: Context<WebEnv>, error?: ReturnType<typeof errorMessage>) {
  const p = principalOf(c, 'FAMILY');
  const exports = await listExports(p, p.familyId);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="A copy of your data" session={p} csrf={csrf} current="/family/privacy">
      <Notice text={c.req.query('done') === 'asked' ? 'We are preparing your copy. It is listed below; large copies take a few minutes.' : null} />
      <ErrorBox error={error} />
      <p>
        You can have a copy of everything this service holds about your family: your details, your children's needs and passports, who has read
        the passports, awards, requests, breaks, messages and the record of changes.
      </p>
      <form method="post" action="/family/data">
        <Csrf token={csrf} />
        <button type="submit">Ask for a copy</button>
      </form>
      {exports.length ? (
        <DataTable label="Your copies" headers={['Asked for', 'Status', 'Open']}>
          {exports.map((e) => (
            <tr>
              <td>{when(e.createdAt)}</td>
              <td>{STATUS[e.status] ?? e.status}</td>
              <td>
                {e.status === 'COMPLETED' ? (
                  <>
                    <a href={`/family/data/${e.id}`}>Read it</a> · <a href={`/family/data/${e.id}/json`}>Download (JSON)</a>
                  </>
                ) : (
                  <a href="/family/data">Check again</a>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Layout>,
    error ? 422 : 200,
  );
}

function Readable({ data }: { data: FamilyExportData }) {
  const f = data.family;
  return (
    <>
      <p class="hint">Prepared {when(data.generatedAt)}.</p>
      <h2>Your family</h2>
      <dl class="passport">
        <dt>Name</dt>
        <dd>{f.name}</dd>
        <dt>Email</dt>
        <dd>{f.email ?? 'none'}</dd>
        <dt>Phone</dt>
        <dd>{f.phone ?? 'none'}</dd>
        <dt>Address</dt>
        <dd>{[f.addressLine, f.postcode].filter(Boolean).join(', ') || 'none'}</dd>
        <dt>Calendar link</dt>
        <dd>{f.calendarLink}</dd>
      </dl>
      {data.children.map((ch) => (
        <section aria-labelledby={`c-${ch.id}`}>
          <h2 id={`c-${ch.id}`}>
            {ch.firstName} {ch.lastName}
          </h2>
          <p>
            Born {ch.dateOfBirth}. Needs: {ch.needs.join(', ') || 'none recorded'}. How to support: {ch.supportFlag ?? 'not written'}.
          </p>
          <h3>Medical passport</h3>
          <PassportSections passport={ch.passport} />
          <h3>Breaks</h3>
          <DataTable label={`${ch.firstName}'s breaks`} headers={['Date', 'Provider', 'Nights', 'Status']}>
            {ch.bookings.map((b) => (
              <tr>
                <td>{b.date}</td>
                <td>{b.provider}</td>
                <td>{b.nights}</td>
                <td>{b.status.toLowerCase()}</td>
              </tr>
            ))}
          </DataTable>
          <h3>Who has read the passport</h3>
          {ch.passportReads.length ? (
            <ul>
              {ch.passportReads.map((r) => (
                <li>
                  {when(r.at)}: {r.who}, {r.organisation}
                </li>
              ))}
            </ul>
          ) : (
            <p>Nobody outside your family.</p>
          )}
          <h3>Awards and requests</h3>
          <ul>
            {ch.entitlements.map((e) => (
              <li>
                {e.periodStart} to {e.periodEnd}: {e.nights} nights, {e.daySessions} day sessions
              </li>
            ))}
            {ch.requests.map((r) => (
              <li>
                Request {r.periodStart} to {r.periodEnd} ({r.status.toLowerCase()}){r.notes ? `: ${r.notes}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <h2>Messages</h2>
      <p>{data.messages.length} message(s) sent to you or to providers about your children; the JSON copy has each in full.</p>
      <h2>Record of changes</h2>
      <p>{data.history.length} recorded change(s); the JSON copy has each with who made it and when.</p>
    </>
  );
}

familyDataPages.get('/family/data', (c) => dataPage(c));
familyDataPages.post('/family/data', async (c) => {
  try {
    const p = principalOf(c, 'FAMILY');
    await requestExport(p, p.familyId);
  } catch (err) {
    return dataPage(c, refusal(err));
  }
  return c.redirect('/family/data?done=asked', 303);
});
familyDataPages.get('/family/data/:id/json', async (c) => {
  const e = await getExport(principalOf(c, 'FAMILY'), c.req.param('id'));
  c.header('Content-Disposition', `attachment; filename="our-data-${e.createdAt.slice(0, 10)}.json"`);
  return c.json(e.data ?? { status: e.status });
});
familyDataPages.get('/family/data/:id', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const e = await getExport(p, c.req.param('id'));
  return c.html(
    <Layout title="A copy of your data" session={p} csrf={c.get('csrfToken')} current="/family/privacy">
      {e.data ? <Readable data={e.data} /> : <p>This copy is {STATUS[e.status] ?? e.status}.</p>}
    </Layout>,
  );
});
