import type { StreamFrame } from '@tokenstream/stream-contracts';
import type { StoredFrame } from '../streams/stream-store';
import { replyEndOf } from './reply-recovery';

function stored(...frames: StreamFrame[]): StoredFrame[] {
  return frames.map((frame, index) => ({ seq: index + 1, frame, json: JSON.stringify(frame) }));
}

const start: StreamFrame = { type: 'start', streamId: 's', model: 'demo' };

describe('replyEndOf', () => {
  it('keeps a finished reply whole, with its usage', () => {
    expect(
      replyEndOf(
        stored(
          start,
          { type: 'text-delta', delta: 'Hel' },
          { type: 'text-delta', delta: 'lo' },
          {
            type: 'finish',
            finishReason: 'stop',
            usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
          },
        ),
      ),
    ).toMatchObject({
      content: 'Hello',
      status: 'complete',
      finishReason: 'stop',
      usage: { totalTokens: 3 },
    });
  });

  it('keeps a stopped reply as cancelled, with the text so far', () => {
    expect(
      replyEndOf(
        stored(
          start,
          { type: 'text-delta', delta: 'Half' },
          { type: 'finish', finishReason: 'cancelled' },
        ),
      ),
    ).toMatchObject({ content: 'Half', status: 'cancelled', finishReason: 'cancelled' });
  });

  it('keeps a reply whose generation was lost as failed, with the text so far and the code', () => {
    expect(
      replyEndOf(
        stored(
          start,
          { type: 'text-delta', delta: 'So far' },
          {
            type: 'error',
            code: 'generation_lost',
            message: 'lost',
            retryable: true,
          },
        ),
      ),
    ).toMatchObject({ content: 'So far', status: 'failed', errorCode: 'generation_lost' });
  });

  it('keeps a stream that ended without a last frame as lost', () => {
    expect(replyEndOf(stored(start, { type: 'text-delta', delta: 'cut' }))).toMatchObject({
      content: 'cut',
      status: 'failed',
      errorCode: 'generation_lost',
    });
  });
});
