import { describe, expect, it } from 'vitest';
import { builderFieldsOf, describeRule, keepsWeekdays, rruleOf } from '../../src/domain/capacity/rrule-builder.js';

describe('the RRULE builder', () => {
  it('reads the parts it shows and writes them back unchanged', () => {
    expect(builderFieldsOf('FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SA')).toEqual({ freq: 'WEEKLY', interval: 2, byday: ['FR', 'SA'], kept: [] });
    for (const rule of ['FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SA', 'FREQ=DAILY', 'FREQ=MONTHLY;INTERVAL=3', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU']) {
      expect(rruleOf(builderFieldsOf(rule))).toBe(rule);
    }
  });

  it('puts weekdays in week order and drops INTERVAL=1', () => {
    expect(rruleOf({ freq: 'WEEKLY', interval: 1, byday: ['SU', 'MO'], kept: [] })).toBe('FREQ=WEEKLY;BYDAY=MO,SU');
    expect(builderFieldsOf('RRULE:freq=weekly;byday=sa,fr')).toEqual({ freq: 'WEEKLY', interval: 1, byday: ['FR', 'SA'], kept: [] });
  });

  it('keeps parts it cannot show, including a BYDAY with ordinals, and never writes a second BYDAY', () => {
    const fields = builderFieldsOf('FREQ=MONTHLY;BYDAY=1SA,-1SA;COUNT=10');
    expect(fields).toEqual({ freq: 'MONTHLY', interval: 1, byday: [], kept: ['BYDAY=1SA,-1SA', 'COUNT=10'] });
    expect(keepsWeekdays(fields)).toBe(true);
    expect(rruleOf({ ...fields, interval: 2, byday: ['MO'] })).toBe('FREQ=MONTHLY;INTERVAL=2;BYDAY=1SA,-1SA;COUNT=10');
    expect(rruleOf(builderFieldsOf('FREQ=MONTHLY;BYMONTHDAY=1,15'))).toBe('FREQ=MONTHLY;BYMONTHDAY=1,15');
  });

  it('describes a rule in words', () => {
    expect(describeRule('FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SA')).toBe('Every 2 weeks on Friday, Saturday');
    expect(describeRule('FREQ=DAILY')).toBe('Every day');
    expect(describeRule('FREQ=MONTHLY;BYMONTHDAY=1')).toBe('Every month (also BYMONTHDAY=1)');
  });
});
