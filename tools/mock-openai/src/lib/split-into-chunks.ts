// Fewer pieces when the text has fewer code points; the pieces always join back to `text`.
/** Splits `text` into `count` near-equal pieces on code points (never inside a surrogate pair). */
export function splitIntoChunks(text: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, got ${count}`);
  }
  // Iterating a string walks code points, so an astral character such as 🙂 stays in one piece.
  const codePoints = Array.from(text);
  const pieces = Math.min(count, codePoints.length);
  const chunks: string[] = [];
  let start = 0;
  for (let index = 0; index < pieces; index++) {
    // The remainder goes to the first pieces, one extra code point each.
    const size =
      Math.floor(codePoints.length / pieces) + (index < codePoints.length % pieces ? 1 : 0);
    chunks.push(codePoints.slice(start, start + size).join(''));
    start += size;
  }
  return chunks;
}
