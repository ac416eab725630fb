/**
 * The id of the Redis Stream entry that holds a stream's frame at `seq`: `0-<seq>`. Entry ids must
 * grow, and the frames' positions do; the `0-` keeps them apart from the time-based ids Redis makes
 * itself. The append script names entries so too.
 */
export function entryId(seq: number): string {
  return `0-${seq}`;
}

/** The position of the frame in the entry `id` ({@link entryId}). */
export function seqOfEntry(id: string): number {
  return Number(id.slice(id.indexOf('-') + 1));
}
