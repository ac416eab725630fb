/** The column a page of conversations is ordered by, and the row it ended on. */
export interface ConversationCursor {
  updatedAt: Date;
  id: string;
}

/** The cursor of the page that ended on `cursor`'s row: opaque to the caller. */
export function encodeCursor(cursor: ConversationCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor a page ended on; throws {@link BadCursorError} for one this api did not make. */
export function decodeCursor(text: string): ConversationCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown[];
    const updatedAt = new Date(String(at));
    if (typeof at === 'string' && typeof id === 'string' && UUID.test(id) && !isNaN(+updatedAt)) {
      return { updatedAt, id };
    }
  } catch {
    // Not JSON: refused below like any other cursor this api did not make.
  }
  throw new BadCursorError();
}

/** A page cursor this api did not make. */
export class BadCursorError extends Error {
  constructor() {
    super('cursor is not one this api made');
    this.name = 'BadCursorError';
  }
}
