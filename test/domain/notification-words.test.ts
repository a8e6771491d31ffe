import { describe, expect, it } from 'vitest';
import { breaksInWords, renderMessage } from '../../src/domain/notification-kinds.js';

describe('what a round gave a child, in words', () => {
  it('counts nights and day sessions as the explanation does, and says so when there is nothing', () => {
    expect(breaksInWords(2, 0)).toBe('2 nights');
    expect(breaksInWords(1, 0)).toBe('1 night');
    expect(breaksInWords(0, 1)).toBe('1 day session');
    expect(breaksInWords(1, 3)).toBe('1 night and 3 day sessions');
    expect(breaksInWords(0, 0)).toBe('nothing this time');
  });

  it('a weekend is two nights in the subject, not two breaks', () => {
    const { subject } = renderMessage('ALLOCATION_RESULT', { child_name: 'Amy', breaks_allocated: breaksInWords(2, 0), explanation: 'Asked for 2 nights, got 2.' }, '/family', '/preferences');
    expect(subject).toBe('Short-break allocation for Amy: 2 nights');
  });
});
