/** How much the store holds and may hold, for health checks, metrics and capacity planning. */
export interface StoreUsage {
  streams: number;
  /** Bytes the frames take now. */
  bytes: number;
  /** Bytes spoken for: every running stream at its size limit, every finished one as it is. */
  reservedBytes: number;
  maxBytes: number;
}
