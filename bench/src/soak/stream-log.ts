import {
  ErrorCodes,
  isTerminalFrame,
  type ErrorFrame,
  type FinishFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';

/**
 * Everything a client received of one stream, over all its connections, and the rules of the
 * protocol it broke: the first frame is `start`, ids always increase, nothing follows the terminal
 * frame (libs/stream-contracts/README.md, "The stream").
 */
export class StreamLog {
  /** The text the deltas make, in the order they came. */
  text = '';
  /** The id of the last whole frame: what a resume sends as `Last-Event-ID`. */
  lastId: string | undefined;
  terminal: FinishFrame | ErrorFrame | undefined;
  textDeltas = 0;
  readonly violations: string[] = [];
  private frames = 0;

  add(id: string | undefined, frame: StreamFrame): void {
    this.frames += 1;
    if (this.frames === 1 && frame.type !== 'start') {
      this.violations.push(`first frame is ${frame.type}, not start`);
    }
    if (this.terminal) this.violations.push(`${frame.type} frame after the terminal frame`);
    // The "expired" error frame is the one frame sent without an id (the parser then repeats the last).
    const expired = frame.type === 'error' && frame.code === ErrorCodes.streamNotFound;
    if (id !== undefined && id !== '') {
      const previous = this.lastId === undefined ? 0 : Number(this.lastId);
      if (!/^\d+$/.test(id)) this.violations.push(`id ${JSON.stringify(id)} is not a whole number`);
      else if (Number(id) <= previous && !(expired && Number(id) === previous)) {
        this.violations.push(`id ${id} after id ${this.lastId}`);
      } else if (!expired) this.lastId = id;
    } else if (!expired) {
      this.violations.push(`${frame.type} frame without an id`);
    }
    if (frame.type === 'text-delta') {
      this.text += frame.delta;
      this.textDeltas += 1;
    }
    if (isTerminalFrame(frame)) this.terminal ??= frame;
  }
}
