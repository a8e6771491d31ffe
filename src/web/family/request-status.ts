/** How a request's status reads to a family, on the home page and on the request's own page. */
import type { TagColour } from '../layout.js';

export const REQUEST_TAGS: Record<string, [string, TagColour]> = { OPEN: ['Waiting for a round', 'blue'], ALLOCATED: ['Round published', 'green'], WITHDRAWN: ['Withdrawn', 'grey'] };
