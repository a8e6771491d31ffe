/** The passport and the support flag as every page shows them (family, provider, transport). */
import type { FC } from 'hono/jsx';
import type { Passport } from '../../schemas/passport.js';

export const SECTION_LABELS = {
  communication: 'Communication',
  behaviours: 'Behaviours',
  calming: 'What calms them',
  medical: 'Medical information',
  medication: 'Medication',
  allergies: 'Allergies',
  equipment: 'Equipment',
  emergencyContacts: 'Emergency contacts',
  gp: 'GP',
  otherNotes: 'Other notes',
} as const satisfies Record<keyof Passport, string>;

/** The family's line on how to support the child: first thing on every provider page about them. */
export const SupportFlagBanner: FC<{ flag: string | null; name: string }> = ({ flag, name }) =>
  flag ? (
    <div class="govuk-inset-text" role="note" aria-label={`How to support ${name}`}>
      <strong>How to support {name}:</strong> {flag}
    </div>
  ) : null;

/** The same flag as one small line, for tables of children (a provider's day and fortnight). */
export const SupportFlagLine: FC<{ flag: string | null; name: string }> = ({ flag, name }) =>
  flag ? (
    <p class="govuk-body-s govuk-!-margin-0" role="note" aria-label={`How to support ${name}`}>
      <strong>How to support {name}:</strong> {flag}
    </p>
  ) : null;

export const PassportSections: FC<{ passport: Passport }> = ({ passport: p }) => {
  const rows = (Object.keys(SECTION_LABELS) as (keyof Passport)[]).filter((k) => p[k] !== undefined && !(Array.isArray(p[k]) && !(p[k] as unknown[]).length));
  if (!rows.length) return <p class="hint">Nothing written yet.</p>;
  return (
    <dl class="passport">
      {rows.map((k) => (
        <>
          <dt>{SECTION_LABELS[k]}</dt>
          <dd>
            {k === 'medication' ? (
              <ul>
                {p.medication!.map((m) => (
                  <li>
                    {m.name}, {m.dose}
                    {m.times.length ? ` at ${m.times.join(', ')}` : ' when needed'}
                    {m.notes ? ` (${m.notes})` : ''}
                  </li>
                ))}
              </ul>
            ) : k === 'allergies' ? (
              <ul>
                {p.allergies!.map((a) => (
                  <li>
                    {a.substance}
                    {a.reaction ? `: ${a.reaction}` : ''}
                  </li>
                ))}
              </ul>
            ) : k === 'equipment' ? (
              <ul>
                {p.equipment!.map((e) => (
                  <li>{e}</li>
                ))}
              </ul>
            ) : k === 'emergencyContacts' ? (
              <ul>
                {p.emergencyContacts!.map((e) => (
                  <li>
                    {e.name}
                    {e.relationship ? ` (${e.relationship})` : ''}: {e.phone}
                  </li>
                ))}
              </ul>
            ) : k === 'gp' ? (
              <>
                {p.gp!.name}
                {p.gp!.practice ? `, ${p.gp!.practice}` : ''}
                {p.gp!.phone ? `, ${p.gp!.phone}` : ''}
              </>
            ) : (
              <span style="white-space:pre-line">{String(p[k])}</span>
            )}
          </dd>
        </>
      ))}
    </dl>
  );
};
