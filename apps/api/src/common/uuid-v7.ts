import { randomBytes } from 'node:crypto';

/**
 * A new id: a UUID version 7 (RFC 9562), whose first 48 bits are the time it was made, in
 * milliseconds, and the rest random (74 bits). Stream ids are these: the time lets the api tell, of
 * a stream it no longer has, whether it was made before its store last lost its data
 * ({@link uuidV7Time}). Conversations and messages use them too, so their ids sort by age.
 */
export function newUuidV7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC's variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const VERSION_7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When the id was made, for an id from {@link newUuidV7}; otherwise undefined. */
export function uuidV7Time(streamId: string): number | undefined {
  if (!VERSION_7.test(streamId)) return undefined;
  return parseInt(streamId.slice(0, 8) + streamId.slice(9, 13), 16);
}
