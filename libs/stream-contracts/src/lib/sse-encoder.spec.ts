import { StreamFrame } from './frames';
import {
  encodeFrame,
  encodeFrameJson,
  encodeSseComment,
  encodeSseEvent,
  SseEventInit,
} from './sse-encoder';
import { createSseParser, SseEvent } from './sse-parser';

function parseAll(text: string): { events: SseEvent[]; retries: number[]; comments: string[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  createSseParser({
    onEvent: (event) => events.push(event),
    onRetry: (ms) => retries.push(ms),
    onComment: (text) => comments.push(text),
  }).feed(text);
  return { events, retries, comments };
}

describe('encodeSseEvent', () => {
  it('writes id, event, retry and data fields, then a blank line', () => {
    expect(encodeSseEvent({ id: '7', event: 'ping', retry: 1500, data: 'hi' })).toBe(
      'id: 7\nevent: ping\nretry: 1500\ndata: hi\n\n',
    );
  });

  it('writes multi-line data as several data lines', () => {
    expect(encodeSseEvent({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('writes an empty value without a trailing space', () => {
    expect(encodeSseEvent({ data: '', id: '' })).toBe('id:\ndata:\n\n');
  });

  // Data a parser cannot distinguish from its LF-joined lines: SSE carries no CR, so a CR or CRLF
  // in the data reads back as LF, exactly as any SSE client would deliver it.
  const tricky: [string, string][] = [
    ['plain', 'hello'],
    ['empty string', ''],
    ['a lone LF', '\n'],
    ['leading and trailing LF', '\na\n'],
    ['two trailing LFs', 'a\n\n'],
    ['CRLF and CR', 'a\r\nb\rc'],
    ['a lone CR', '\r'],
    ['leading spaces', '  two spaces'],
    ['a single space', ' '],
    ['leading colon', ':not a comment'],
    ['field-like text', 'id: 5\nevent: x\nretry: 1'],
    ['blank lines inside', 'a\n\n\nb'],
    ['unicode', 'h\u00e9 \u20ac \ud83d\ude42 \u4e2d\u6587'],
    ['a BOM first', '\uFEFFbom'],
    ['NUL', 'a\0b'],
    ['U+2028 and U+2029', 'a\u2028b\u2029c'],
  ];

  it.each(tricky)('round-trips %s through the parser', (_name, data) => {
    const init: SseEventInit = { data, id: 'x y', event: 'e' };
    expect(parseAll(encodeSseEvent(init)).events).toEqual([
      { data: data.replace(/\r\n?/g, '\n'), id: 'x y', event: 'e' },
    ]);
  });

  it('round-trips ids and event types with spaces, unicode and colons', () => {
    const text =
      encodeSseEvent({ data: 'a', id: '  spaced ', event: ' ev:ent ' }) +
      encodeSseEvent({ data: 'b', id: '\ud83d\ude42:1' });
    expect(parseAll(text).events).toEqual([
      { data: 'a', id: '  spaced ', event: ' ev:ent ' },
      { data: 'b', id: '\ud83d\ude42:1' },
    ]);
  });

  it('round-trips retry', () => {
    expect(parseAll(encodeSseEvent({ data: 'a', retry: 0 }))).toEqual({
      events: [{ data: 'a' }],
      retries: [0],
      comments: [],
    });
  });

  it.each([
    ['an id with LF', { data: '', id: '1\n2' }],
    ['an id with CR', { data: '', id: '1\r' }],
    ['an id with NUL', { data: '', id: '1\0' }],
    ['an event with LF', { data: '', event: 'a\nb' }],
    ['an event with CR', { data: '', event: '\rdata: injected' }],
    ['a negative retry', { data: '', retry: -1 }],
    ['a fractional retry', { data: '', retry: 1.5 }],
    ['a NaN retry', { data: '', retry: Number.NaN }],
  ] satisfies [string, SseEventInit][])('throws a TypeError for %s', (_name, init) => {
    expect(() => encodeSseEvent(init)).toThrow(TypeError);
  });
});

describe('encodeSseComment', () => {
  it('prefixes each line with ": "', () => {
    expect(encodeSseComment('keep-alive')).toBe(': keep-alive\n');
    expect(encodeSseComment('a\nb\r\nc')).toBe(': a\n: b\n: c\n');
  });

  it('reads back as comments that dispatch nothing', () => {
    expect(parseAll(encodeSseComment('one\n two\n\nthree') + 'data: x\n\n')).toEqual({
      events: [{ data: 'x' }],
      retries: [],
      comments: ['one', ' two', '', 'three'],
    });
  });
});

describe('encodeFrame', () => {
  const delta: StreamFrame = { type: 'text-delta', delta: 'a\nb\r\n"c" \ud83d\ude42' };

  it('is the api wire form: id, one data line of JSON, blank line', () => {
    expect(encodeFrame({ type: 'start', streamId: 's1', model: 'm' }, '3')).toBe(
      'id: 3\ndata: {"type":"start","streamId":"s1","model":"m"}\n\n',
    );
  });

  it('omits the id line without an id', () => {
    expect(encodeFrame({ type: 'finish', finishReason: 'stop' })).toBe(
      'data: {"type":"finish","finishReason":"stop"}\n\n',
    );
  });

  it('keeps line breaks inside the JSON, on one data line', () => {
    const wire = encodeFrame(delta, '4');
    expect(wire.split('\n')).toHaveLength(4); // id, data, blank line, ''
    const { events } = parseAll(wire);
    expect(events).toHaveLength(1);
    expect(events[0].id).toBe('4');
    expect(events[0].event).toBeUndefined();
    expect(JSON.parse(events[0].data)).toEqual(delta);
  });
});

describe('encodeFrameJson', () => {
  const inputs: Array<[string, string | undefined]> = [
    ['{"type":"text-delta","delta":"a\\nb 🙂"}', '12'],
    ['{"type":"finish","finishReason":"stop"}', undefined],
    // Not what the api sends, but encoded safely all the same: several lines, an odd id.
    ['{\n  "pretty": true\r\n}', '7'],
    ['x', 'not-a-number'],
    ['', '1'],
  ];

  it.each(inputs)('writes %j with id %j exactly as encodeSseEvent does', (json, id) => {
    expect(encodeFrameJson(json, id)).toBe(encodeSseEvent({ data: json, id }));
  });

  it('refuses an id that would inject a field, as encodeSseEvent does', () => {
    expect(() => encodeFrameJson('{}', '1\ndata: evil')).toThrow(TypeError);
  });
});
