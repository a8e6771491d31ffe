/** How coordinator pages name a child: who they are beyond their name, and round explanations told about them. */
import type { ChildLabel } from '../../services/child-labels.js';
import { longDate } from '../format.js';

/** Date of birth and reference under a child's name, so two children called the same can be told apart. */
export const ChildTell = ({ label }: { label?: ChildLabel }) =>
  label ? (
    <span class="govuk-body-s govuk-!-display-block govuk-!-margin-0 hint">
      Born {longDate(label.dateOfBirth)}, ref {label.reference}
    </span>
  ) : null;

/**
 * The round's explanations are written for the family ("you were 14th"); the
 * coordinator reads them about the child ("Amira was 14th").
 */
export function forCoordinator(summary: string, firstName: string): string {
  return summary
    .replace(/\bYou were\b/g, `${firstName} was`)
    .replace(/\byou were\b/g, `${firstName} was`)
    .replace(/\bYou have\b/g, `${firstName} has`)
    .replace(/\byou have\b/g, `${firstName} has`)
    .replace(/\byou had\b/g, `${firstName} had`)
    .replace(/\b[Yy]our child's\b/g, `${firstName}'s`)
    .replace(/\b[Yy]our child\b/g, firstName)
    .replace(/\bfrom your first choice\b/g, 'from the first choice')
    .replace(/\byour\b/g, 'their')
    .replace(/\bYour\b/g, 'Their');
}
