/**
 * What the service does with a family's information, in plain words (UK GDPR
 * articles 13 and 14), and the promise seed 003 asks for: asking for a short
 * break is asking for support, never a safeguarding referral.
 */
import { Hono } from 'hono';
import { config } from '../../config.js';
import { retentionRules } from '../../services/retention.js';
import { DataTable, Layout, addNavItem } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';

export const familyPrivacyPages = new Hono<WebEnv>();
familyPrivacyPages.use('/family/privacy', requirePage('FAMILY'));
addNavItem('FAMILY', { href: '/family/privacy', label: 'Privacy and your data' });

familyPrivacyPages.get('/family/privacy', (c) => {
  const p = principalOf(c, 'FAMILY');
  const rules = retentionRules(config());
  return c.html(
    <Layout title="Privacy and your data" session={p} csrf={c.get('csrfToken')} current="/family/privacy">
      <h2 id="support-not-safeguarding">Asking for a short break is asking for support</h2>
      <p>
        Requesting, being offered or having a short break never marks your child as a safeguarding case. This service has no safeguarding flag,
        no social-work case marker and no referral of any kind, and it sends nothing about your child to their school, GP, hospital or any other
        agency. The only people it tells anything are your council's short-breaks team, the providers of your child's breaks, and the drivers and
        escorts of your child's transport, as described below.
      </p>
      <h2>Who sees what</h2>
      <ul>
        <li>Your council's short-breaks team sees your family's details, your child's needs, awards, requests and breaks, so they can arrange them.</li>
        <li>
          A provider sees your child's name, needs and the support flag while it holds a booking for your child. It sees the medical passport as
          you choose: by default while it holds a booking, and you can stop any provider seeing it or share it with one before a visit.
        </li>
        <li>Drivers and escorts of your child's transport see only communication, behaviours and what calms your child.</li>
        <li>
          The council's team can open the passport only in an emergency, for a few hours, and must give a reason. You are told straight away, and the
          reason is shown on your child's passport page.
        </li>
        <li>Every time anyone outside your family reads the passport, it is recorded, and you can see who, from which organisation, and when.</li>
      </ul>
      <h2>How long we keep it</h2>
      <DataTable label="How long each kind of record is kept" headers={['Record', 'Kept for', 'Then']}>
        {rules.map((r) => (
          <tr>
            <td>{r.record}</td>
            <td>{r.keptFor}</td>
            <td>{r.then}</td>
          </tr>
        ))}
      </DataTable>
      <h2>Your rights</h2>
      <p>
        You can ask for a copy of everything held about your family (<a href="/family/data">get a copy of your data</a>), have anything wrong
        corrected (you can correct the passport yourself), and ask your council to erase your family's personal information. After erasure your
        family's names, contact details and passports are gone; the council keeps only counts of the breaks given, with no name attached, so its
        reports on what was promised and delivered still add up.
      </p>
    </Layout>,
  );
});
