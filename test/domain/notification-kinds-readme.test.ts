/** The README's table of message kinds is src/domain/notification-kinds.ts read aloud: a kind added there must be listed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kindsTable } from '../../src/domain/notification-kinds.js';

describe('README table of message kinds', () => {
  it('is exactly the table the kinds file gives', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('| kind | to |');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, readme.indexOf('\n\n', start))).toBe(kindsTable());
  });
});
