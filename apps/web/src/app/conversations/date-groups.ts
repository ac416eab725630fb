import type { ConversationSummary } from '@tokenstream/stream-contracts';

/** Conversations under one heading of the sidebar. */
export interface DateGroup {
  label: string;
  conversations: ConversationSummary[];
}

const DAY_MS = 86_400_000;

/**
 * Groups conversations (newest first) by when they were last updated, as chat apps do: Today,
 * Yesterday, Previous 7 days, Previous 30 days, then one group per month (`November 2026`). Days
 * are the user's local days.
 */
export function groupByDate(
  conversations: readonly ConversationSummary[],
  now: Date,
  locale?: string,
): DateGroup[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const month = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' });
  const groups: DateGroup[] = [];
  for (const conversation of conversations) {
    const updated = new Date(conversation.updatedAt);
    const day = new Date(updated.getFullYear(), updated.getMonth(), updated.getDate()).getTime();
    const daysAgo = Math.round((today - day) / DAY_MS);
    const label =
      daysAgo <= 0
        ? 'Today'
        : daysAgo === 1
          ? 'Yesterday'
          : daysAgo <= 7
            ? 'Previous 7 days'
            : daysAgo <= 30
              ? 'Previous 30 days'
              : month.format(updated);
    const last = groups.at(-1);
    if (last?.label === label) last.conversations.push(conversation);
    else groups.push({ label, conversations: [conversation] });
  }
  return groups;
}
