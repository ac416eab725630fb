import { usageCsv } from './usage-csv';

describe('usageCsv', () => {
  it('names the same fields as the JSON, a CRLF line per row', () => {
    expect(
      usageCsv('model', [
        { model: 'gpt-4o', requests: 3, promptTokens: 30, completionTokens: 60, costUsd: 0.00054 },
      ]),
    ).toBe('model,requests,promptTokens,completionTokens,costUsd\r\ngpt-4o,3,30,60,0.00054\r\n');
  });

  it('quotes what would break a line or a cell, and defuses what a spreadsheet would run', () => {
    const csv = usageCsv('group', [
      { group: 'a,b "c"', requests: 1, promptTokens: 0, completionTokens: 0, costUsd: 0 },
      { group: '=HYPERLINK("x")', requests: 1, promptTokens: 0, completionTokens: 0, costUsd: 0 },
    ]);
    expect(csv.split('\r\n').slice(1, 3)).toEqual([
      '"a,b ""c""",1,0,0,0',
      `"'=HYPERLINK(""x"")",1,0,0,0`,
    ]);
  });
});
