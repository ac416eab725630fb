import { randomUUID } from 'node:crypto';

/**
 * A new id: a UUID version 7 (RFC 9562), whose first 48 bits are the time it was made, in
 * milliseconds, and the rest random (74 bits). Stream ids are these: the time lets the api tell, of
 * a stream it no longer has, whether it was made before its store last lost its data
 * ({@link uuidV7Time}). Conversations and messages use them too, so their ids sort by age.
 */
export function newUuidV7(now = Date.now()): string {
  // A version 4 UUID from Node's pool of entropy, cheaper than a `randomBytes` call per id: its
  // variant and last 74 random bits stay; the time and the version replace its first 52 bits.
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}

const VERSION_7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When the id was made, for an id from {@link newUuidV7}; otherwise undefined. */
export function uuidV7Time(streamId: string): number | undefined {
  if (!VERSION_7.test(streamId)) return undefined;
  return parseInt(streamId.slice(0, 8) + streamId.slice(9, 13), 16);
}
