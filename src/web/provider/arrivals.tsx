/** Provider pages about children: the day's arrivals (each headed by the support flag) and one child's page with the passport. */
import { Hono, type Context } from 'hono';
import { addDays } from '../../domain/london-time.js';
import { arrivalsOn } from '../../services/arrivals.js';
import { getPassport } from '../../services/passports.js';
import { ApiError } from '../../errors.js';
import { ErrorBox, Layout, errorMessage, human, when } from '../layout.js';
import { isDate, today } from '../forms.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { PassportSections, SupportFlagBanner } from '../shared/passport.js';

export const providerChildPages = new Hono<WebEnv>();
providerChildPages.use('/provider/arrivals', requirePage('PROVIDER'));
providerChildPages.use('/provider/children/*', requirePage('PROVIDER'));

async function arrivalsPage(c: Context<WebEnv>) {
  const p = principalOf(c, 'PROVIDER');
  const asked = c.req.query('date');
  const date = isDate(asked) ? asked : today();
  const arrivals = await arrivalsOn(p, date);
  return c.html(
    <Layout title={`Arrivals on ${date}`} session={p} csrf={c.get('csrfToken')} current="/provider">
      <p>
        <a href={`/provider/arrivals?date=${addDays(date, -1)}`}>Previous day</a> · <a href={`/provider/arrivals?date=${addDays(date, 1)}`}>Next day</a>
      </p>
      {arrivals.length ? (
        <ul class="arrivals">
          {arrivals.map((a) => (
            <li>
              <h2>
                {a.child.firstName} {a.child.lastName}, arriving {when(a.startsAt)}
              </h2>
              <SupportFlagBanner flag={a.child.supportFlag} name={a.child.firstName} />
              <p>
                Until {when(a.endsAt)}. {a.child.needs.length ? <>Needs: {a.child.needs.map((n) => <span class="tag">{human(n)}</span>)}</> : null}
              </p>
              <p>
                <a href={`/provider/children/${a.child.id}`}>{a.child.firstName}'s medical passport</a>
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p>No children arrive on this day.</p>
      )}
    </Layout>,
  );
}

async function childPage(c: Context<WebEnv>) {
  const p = principalOf(c, 'PROVIDER');
  try {
    const view = await getPassport(p, c.req.param('id') ?? '', 'PAGE');
    return c.html(
      <Layout title={`${view.firstName} ${view.lastName}`} session={p} csrf={c.get('csrfToken')} current="/provider">
        <SupportFlagBanner flag={view.supportFlag} name={view.firstName} />
        <h2>Medical passport</h2>
        <p class="hint">
          {view.updatedAt ? `Last updated by the family on ${when(view.updatedAt)}. ` : ''}The family can see that you opened it.
        </p>
        <PassportSections passport={view.passport} />
      </Layout>,
    );
  } catch (err) {
    // A child the family has not shared with this provider, or not one of its children: say so, nothing more.
    if (err instanceof ApiError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) {
      return c.html(
        <Layout title="Medical passport" session={p} csrf={c.get('csrfToken')} current="/provider">
          <ErrorBox error={errorMessage(err)} />
        </Layout>,
        err.status as 403 | 404,
      );
    }
    throw err;
  }
}

providerChildPages.get('/provider/arrivals', (c) => arrivalsPage(c));
providerChildPages.get('/provider/children/:id', (c) => childPage(c));
