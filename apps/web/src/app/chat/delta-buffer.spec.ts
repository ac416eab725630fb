import { DeltaBuffer, FrameScheduler } from './delta-buffer';

/** Frames that run only when the test says so. */
class ManualFrames implements FrameScheduler {
  private readonly pending = new Map<number, () => void>();
  private nextHandle = 1;

  get requested(): number {
    return this.pending.size;
  }

  request(callback: () => void): number {
    const handle = this.nextHandle++;
    this.pending.set(handle, callback);
    return handle;
  }

  cancel(handle: number): void {
    this.pending.delete(handle);
  }

  run(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    due.forEach((callback) => callback());
  }
}

describe('DeltaBuffer', () => {
  let frames: ManualFrames;
  let applied: string[];
  let buffer: DeltaBuffer;

  beforeEach(() => {
    frames = new ManualFrames();
    applied = [];
    buffer = new DeltaBuffer((text) => applied.push(text), frames);
  });

  it('applies nothing before the animation frame runs', () => {
    buffer.push('Hel');
    buffer.push('lo');

    expect(applied).toEqual([]);
  });

  it('applies the deltas of one frame joined, once, when the frame runs', () => {
    buffer.push('Hel');
    buffer.push('lo');
    buffer.push(' world');

    expect(frames.requested).toBe(1);
    frames.run();

    expect(applied).toEqual(['Hello world']);
  });

  it('requests a new frame for deltas that come after a frame ran', () => {
    buffer.push('one');
    frames.run();
    buffer.push(' two');
    frames.run();

    expect(applied).toEqual(['one', ' two']);
  });

  it('requests no frame for an empty delta', () => {
    buffer.push('');

    expect(frames.requested).toBe(0);
  });

  it('flush applies the queued text at once and cancels the frame', () => {
    buffer.push('partial');
    buffer.flush();

    expect(applied).toEqual(['partial']);
    expect(frames.requested).toBe(0);
  });

  it('flush with nothing queued applies nothing', () => {
    buffer.flush();

    expect(applied).toEqual([]);
  });

  it('dispose drops the queued text and its frame', () => {
    buffer.push('lost');
    buffer.dispose();
    frames.run();
    buffer.flush();

    expect(applied).toEqual([]);
    expect(frames.requested).toBe(0);
  });

  it("uses the browser's requestAnimationFrame by default", () => {
    const callbacks: FrameRequestCallback[] = [];
    const raf = jest
      .spyOn(window, 'requestAnimationFrame')
      .mockImplementation((callback) => callbacks.push(callback));
    try {
      const texts: string[] = [];
      const browserBuffer = new DeltaBuffer((text) => texts.push(text));
      browserBuffer.push('a');
      browserBuffer.push('b');

      expect(callbacks).toHaveLength(1);
      callbacks[0](0);
      expect(texts).toEqual(['ab']);
    } finally {
      raf.mockRestore();
    }
  });
});
