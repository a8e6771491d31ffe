/** Transport staff's page: their vehicle's current runs, each child with the support flag and the journey sections only. */
import { Hono } from 'hono';
import { journeysFor } from '../../services/arrivals.js';
import { Layout, addNavItem, human, when } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { PassportSections, SupportFlagBanner } from '../shared/passport.js';

export const transportPages = new Hono<WebEnv>();
transportPages.use('/transport', requirePage('TRANSPORT'));
addNavItem('TRANSPORT', { href: '/transport', label: 'Journeys' });

transportPages.get('/transport', async (c) => {
  const p = principalOf(c, 'TRANSPORT');
  const runs = await journeysFor(p, 'PAGE');
  return c.html(
    <Layout title="Journeys" session={p} csrf={c.get('csrfToken')} current="/transport">
      <p class="hint">For each child you see how they communicate, their behaviours and what calms them: what a journey needs. The family can see that you read it.</p>
      {runs.length ? (
        runs.map((r) => (
          <section aria-labelledby={`run-${r.id}`}>
            <h2 id={`run-${r.id}`}>
              {r.direction === 'TO_BREAK' ? 'To' : 'From'} {r.provider.name}: {when(r.departAt)}
            </h2>
            <p>
              {r.provider.addressLine}, {r.provider.postcode}
            </p>
            {r.children.map((ch) => (
              <>
                <h3>
                  {ch.firstName} {ch.lastName}
                </h3>
                <SupportFlagBanner flag={ch.supportFlag} name={ch.firstName} />
                {ch.needs.length ? <p>Needs: {ch.needs.map((n) => <span class="tag">{human(n)}</span>)}</p> : null}
                {ch.passport ? <PassportSections passport={ch.passport} /> : null}
              </>
            ))}
          </section>
        ))
      ) : (
        <p>No journeys for this vehicle at the moment.</p>
      )}
    </Layout>,
  );
});
