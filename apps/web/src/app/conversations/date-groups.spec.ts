import type { ConversationSummary } from '@tokenstream/stream-contracts';
import { groupByDate } from './date-groups';

function at(updatedAt: Date, id = updatedAt.toISOString()): ConversationSummary {
  return { id, title: id, createdAt: updatedAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

describe('groupByDate', () => {
  const now = new Date(2026, 11, 4, 9, 30); // 4 December 2026, 09:30 local time
  const daysAgo = (days: number, hour = 12) => new Date(2026, 11, 4 - days, hour);

  it('puts each conversation under Today, Yesterday, the last 7 or 30 days, or its month', () => {
    const groups = groupByDate(
      [
        at(new Date(2026, 11, 4, 0, 1)),
        at(daysAgo(1, 23)),
        at(daysAgo(1, 0)),
        at(daysAgo(6)),
        at(daysAgo(20)),
        at(new Date(2026, 9, 15)),
        at(new Date(2025, 9, 15)),
      ],
      now,
      'en-US',
    );
    expect(groups.map((g) => [g.label, g.conversations.length])).toEqual([
      ['Today', 1],
      ['Yesterday', 2],
      ['Previous 7 days', 1],
      ['Previous 30 days', 1],
      ['October 2026', 1],
      ['October 2025', 1],
    ]);
  });

  it('keeps the order it was given within a group', () => {
    const groups = groupByDate([at(daysAgo(0, 9), 'b'), at(daysAgo(0, 8), 'a')], now);
    expect(groups[0]?.conversations.map((c) => c.id)).toEqual(['b', 'a']);
  });
});
