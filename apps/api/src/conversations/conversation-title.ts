/** The longest title made from a first message. */
export const MAX_DERIVED_TITLE_CHARS = 60;

/**
 * A conversation's title from its first message, with no model call: its first line, with runs of
 * space made one, cut at a word near {@link MAX_DERIVED_TITLE_CHARS} characters with an ellipsis.
 */
export function titleFrom(message: string): string {
  const line = message.trim().split('\n', 1)[0]?.replace(/\s+/g, ' ').trim() ?? '';
  if (!line) return 'New chat';
  if (line.length <= MAX_DERIVED_TITLE_CHARS) return line;
  const cut = line.slice(0, MAX_DERIVED_TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_DERIVED_TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
