/**
 * Why a generation was ended from outside before the model finished:
 * - `stop`: the user asked for it;
 * - `abandoned`: every reader left and none came back within the grace period;
 * - `shutdown`: the process is shutting down and the drain time is over;
 * - `too-large`: the reply passed the per-stream size limit;
 * - `lost`: its frames can no longer be stored (the store kept failing);
 * - `ended-elsewhere`: its stream was ended by another instance (a stop sent there, or the
 *   generation judged lost while this instance could not renew its lease).
 */
export type InterruptReason =
  'stop' | 'abandoned' | 'shutdown' | 'too-large' | 'lost' | 'ended-elsewhere';
