import { SseKeepAlive } from './sse-keep-alive';

describe('SseKeepAlive', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('beats after each quiet interval, and not while something is being written', () => {
    const beats: number[] = [];
    const heartbeat = new SseKeepAlive(1000, () => beats.push(Date.now()));
    heartbeat.touch();
    jest.advanceTimersByTime(900);
    heartbeat.touch();
    jest.advanceTimersByTime(900);
    expect(beats).toHaveLength(0);
    jest.advanceTimersByTime(100);
    expect(beats).toHaveLength(1);
    jest.advanceTimersByTime(2000);
    expect(beats).toHaveLength(3);
    heartbeat.stop();
  });

  it('keeps one timer however often it is touched', () => {
    const heartbeat = new SseKeepAlive(1000, () => undefined);
    for (let i = 0; i < 100; i++) {
      heartbeat.touch();
      jest.advanceTimersByTime(5);
    }
    expect(jest.getTimerCount()).toBe(1);
    heartbeat.stop();
  });

  it('never beats again once stopped', () => {
    let beats = 0;
    const heartbeat = new SseKeepAlive(10, () => beats++);
    heartbeat.touch();
    heartbeat.stop();
    jest.advanceTimersByTime(1000);
    expect(beats).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
