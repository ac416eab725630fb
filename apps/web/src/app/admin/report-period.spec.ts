import { dateRangeFrom, daysOf, periodQueryOf, thisUtcMonth } from './report-period';

describe('report periods', () => {
  it('defaults to the current UTC month, first to last day, whatever the local time zone', () => {
    expect(thisUtcMonth(new Date('2026-12-31T23:30:00Z'))).toEqual({
      from: '2026-12-01',
      through: '2026-12-31',
    });
    expect(thisUtcMonth(new Date('2028-02-10T00:00:00Z'))).toEqual({
      from: '2028-02-01',
      through: '2028-02-29',
    });
  });

  it('asks the api up to the day after the last one shown, as its `to` is exclusive', () => {
    expect(periodQueryOf({ from: '2026-12-01', through: '2026-12-31' })).toEqual({
      from: '2026-12-01',
      to: '2027-01-01',
    });
  });

  it('lists every day of a period, both ends included', () => {
    expect(daysOf({ from: '2026-02-27', through: '2026-03-02' })).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(daysOf({ from: '2026-03-02', through: '2026-03-01' })).toEqual([]);
  });

  it('refuses a period that is missing a date or runs backwards, saying why', () => {
    expect(dateRangeFrom('2026-12-01', '2026-12-07')).toEqual({
      ok: true,
      range: { from: '2026-12-01', through: '2026-12-07' },
    });
    expect(dateRangeFrom('', '2026-12-07')).toEqual({ ok: false, problem: 'Choose both dates.' });
    expect(dateRangeFrom('2026-12-08', '2026-12-07')).toEqual({
      ok: false,
      problem: 'The first day must not be after the last.',
    });
  });
});
