/**
 * Unmet demand by month: a round says how many nights a child missed, not on
 * which dates, so a miss over a period spanning months is spread by the days
 * of each month, and the parts always add up to the miss.
 */
import { describe, expect, it } from 'vitest';
import { spreadOverMonths, unmetByNeedAndMonth } from '../../src/domain/funding-review.js';

describe('unmet demand by month', () => {
  it('spreads a round’s miss over the months of its period by their days', () => {
    // 20 January to 10 March 2027: 12 + 28 + 10 = 50 days; 10 nights are 2.4, 5.6 and 2, and February takes the spare one.
    expect(spreadOverMonths(10, '2027-01-20', '2027-03-10')).toEqual([
      { month: '2027-01', units: 2 },
      { month: '2027-02', units: 6 },
      { month: '2027-03', units: 2 },
    ]);
    expect(spreadOverMonths(1, '2027-01-31', '2027-02-01')).toEqual([{ month: '2027-01', units: 1 }]);
  });

  it('keeps rounds and waiting lists apart, counts each child once a month, and leaves a one-month round where it is', () => {
    const rows = unmetByNeedAndMonth([
      { need: 'GASTROSTOMY', month: '2027-01', source: 'ROUND', units: 10, childId: 'a', over: { from: '2027-01-20', to: '2027-03-10' } },
      { need: 'GASTROSTOMY', month: '2027-02', source: 'ROUND', units: 3, childId: 'b', over: { from: '2027-02-01', to: '2027-02-28' } },
      { need: 'GASTROSTOMY', month: '2027-02', source: 'WAITING_LIST', units: 1, childId: 'a' },
    ]);
    expect(rows).toEqual([
      { need: 'GASTROSTOMY', month: '2027-01', roundUnits: 2, waitingListUnits: 0, children: 1 },
      { need: 'GASTROSTOMY', month: '2027-02', roundUnits: 9, waitingListUnits: 1, children: 2 },
      { need: 'GASTROSTOMY', month: '2027-03', roundUnits: 2, waitingListUnits: 0, children: 1 },
    ]);
  });
});
