import { createSseParser, SseEvent } from './sse-parser';

/** What the parser reported, in order: one entry per handler call. */
type Report = { event: SseEvent } | { retry: number } | { comment: string };

interface Fixture {
  name: string;
  input: string;
  expected: Report[];
}

const msg = (data: string, extra: Omit<SseEvent, 'data'> = {}): Report => ({
  event: { data, ...extra },
});

// Every rule of WHATWG HTML 9.2.6, one or more inputs each. Each is run whole and split in every
// possible way below, so chunk boundaries are covered for all of them.
const fixtures: Fixture[] = [
  // Dispatch
  { name: 'one event', input: 'data: hello\n\n', expected: [msg('hello')] },
  { name: 'empty stream', input: '', expected: [] },
  { name: 'blank lines alone dispatch nothing', input: '\n\n\r\n\r\r', expected: [] },
  {
    name: 'blank lines around events',
    input: '\n\ndata: a\n\n\n\ndata: b\n\n\n',
    expected: [msg('a'), msg('b')],
  },
  {
    name: 'multi-line data is joined with LF',
    input: 'data: a\ndata: b\ndata:c\n\n',
    expected: [msg('a\nb\nc')],
  },
  { name: 'only one trailing LF is removed', input: 'data: a\ndata\n\n', expected: [msg('a\n')] },
  {
    name: 'unterminated event (no line end) is dropped',
    input: 'data: a\n\ndata: b',
    expected: [msg('a')],
  },
  {
    name: 'unterminated event (no blank line) is dropped',
    input: 'data: a\n\ndata: b\n',
    expected: [msg('a')],
  },
  {
    name: 'unterminated event ending in CR is dropped',
    input: 'data: a\r\rdata: b\r',
    expected: [msg('a')],
  },
  // Line endings
  { name: 'CRLF line endings', input: 'data: a\r\ndata: b\r\n\r\n', expected: [msg('a\nb')] },
  { name: 'CR line endings', input: 'data: a\rdata: b\r\r', expected: [msg('a\nb')] },
  {
    name: 'mixed CRLF, CR and LF',
    input: 'data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\n\rdata: e\n\n',
    expected: [msg('a\nb\nc'), msg('d'), msg('e')],
  },
  {
    name: 'LF then CR is two line ends',
    input: 'data: a\n\rdata: b\n\n',
    expected: [msg('a'), msg('b')],
  },
  {
    name: 'CR CR LF is two line ends',
    input: 'data: a\r\r\ndata: b\n\n',
    expected: [msg('a'), msg('b')],
  },
  // Field parsing
  { name: 'no space after the colon', input: 'data:a\n\n', expected: [msg('a')] },
  { name: 'only one leading space is stripped', input: 'data:  two\n\n', expected: [msg(' two')] },
  { name: 'a tab is not stripped', input: 'data:\ttab\n\n', expected: [msg('\ttab')] },
  { name: 'trailing spaces are kept', input: 'data: a  \n\n', expected: [msg('a  ')] },
  { name: 'value may contain colons', input: 'data: a: b:c\n\n', expected: [msg('a: b:c')] },
  { name: 'data with no colon is an empty value', input: 'data\n\n', expected: [msg('')] },
  { name: 'two bare data lines', input: 'data\ndata\n\n', expected: [msg('\n')] },
  { name: 'data: with only a space is empty', input: 'data: \n\n', expected: [msg('')] },
  { name: 'NUL in data is kept', input: 'data: a\0b\n\n', expected: [msg('a\0b')] },
  {
    name: 'unknown fields are ignored',
    input: 'foo: bar\nData: x\n data: y\ndata : z\nbare\ndata: a\n\n',
    expected: [msg('a')],
  },
  {
    name: 'an event of unknown fields only is not dispatched',
    input: 'foo: bar\n\n',
    expected: [],
  },
  // Comments
  {
    name: 'comments, one leading space stripped',
    input: ': keep-alive\n:no-space\n:  two\n:\n: a: b\n',
    expected: [
      { comment: 'keep-alive' },
      { comment: 'no-space' },
      { comment: ' two' },
      { comment: '' },
      { comment: 'a: b' },
    ],
  },
  {
    name: 'a comment inside an event changes nothing',
    input: 'data: a\n: ping\ndata: b\n\n',
    expected: [{ comment: 'ping' }, msg('a\nb')],
  },
  {
    name: 'a comment line is not a blank line',
    input: 'data: a\n:\n',
    expected: [{ comment: '' }],
  },
  // event
  {
    name: 'event type',
    input: 'event: ping\ndata: x\n\n',
    expected: [msg('x', { event: 'ping' })],
  },
  {
    name: 'event type resets after dispatch',
    input: 'event: ping\ndata: a\n\ndata: b\n\n',
    expected: [msg('a', { event: 'ping' }), msg('b')],
  },
  {
    name: 'empty event type means message',
    input: 'event: x\nevent:\ndata: a\n\n',
    expected: [msg('a')],
  },
  {
    name: 'last event field wins',
    input: 'event: a\nevent: b\ndata: x\n\n',
    expected: [msg('x', { event: 'b' })],
  },
  {
    name: 'event type resets when nothing is dispatched',
    input: 'event: ping\n\ndata: a\n\n',
    expected: [msg('a')],
  },
  {
    name: 'event type "message" is passed as is',
    input: 'event: message\ndata: a\n\n',
    expected: [msg('a', { event: 'message' })],
  },
  // id
  {
    name: 'id persists across events',
    input: 'id: 1\ndata: a\n\ndata: b\n\n',
    expected: [msg('a', { id: '1' }), msg('b', { id: '1' })],
  },
  {
    name: 'id after data in the same event',
    input: 'data: a\nid: 9\n\n',
    expected: [msg('a', { id: '9' })],
  },
  {
    name: 'id set by an event with no data',
    input: 'id: 7\n\ndata: a\n\n',
    expected: [msg('a', { id: '7' })],
  },
  {
    name: 'empty id resets to empty string',
    input: 'id: 1\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n',
    expected: [msg('a', { id: '1' }), msg('b', { id: '' }), msg('c', { id: '' })],
  },
  {
    name: 'id containing NUL is ignored',
    input: 'id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\nid: \0\ndata: c\n\n',
    expected: [msg('a', { id: '1' }), msg('b', { id: '1' }), msg('c', { id: '1' })],
  },
  {
    name: 'id never set stays undefined',
    input: 'data: a\n\nid: 2\0\ndata: b\n\n',
    expected: [msg('a'), msg('b')],
  },
  {
    name: 'id keeps its spaces but one',
    input: 'id:  x \ndata: a\n\n',
    expected: [msg('a', { id: ' x ' })],
  },
  // retry
  {
    name: 'retry with ASCII digits',
    input: 'retry: 1000\nretry:0\nretry: 007\n',
    expected: [{ retry: 1000 }, { retry: 0 }, { retry: 7 }],
  },
  {
    name: 'retry with anything but ASCII digits is ignored',
    input:
      'retry: 10a\nretry: -1\nretry: 1.5\nretry: +5\nretry:  100\nretry: 100 \nretry: \u0661\u0662\nretry:\nretry\nretry: 1e3\n',
    expected: [],
  },
  {
    name: 'retry alongside an event keeps its order',
    input: 'data: a\nretry: 5\n\n',
    expected: [{ retry: 5 }, msg('a')],
  },
  // Unicode and BOM
  {
    name: '2-, 3- and 4-byte UTF-8 characters',
    input: 'event: ünï\nid: €1\ndata: é€🙂\ndata: 🙂🙂\n\n',
    expected: [msg('é€🙂\n🙂🙂', { event: 'ünï', id: '€1' })],
  },
  { name: 'leading BOM is stripped', input: '\uFEFFdata: a\n\n', expected: [msg('a')] },
  { name: 'leading BOM before a blank line', input: '\uFEFF\ndata: a\n\n', expected: [msg('a')] },
  {
    name: 'only one BOM is stripped',
    input: '\uFEFF\uFEFFdata: a\n\ndata: b\n\n',
    expected: [msg('b')],
  },
  {
    name: 'a BOM later in the stream is not stripped',
    input: 'data: a\n\n\uFEFFdata: b\n\ndata: \uFEFFc\n\n',
    expected: [msg('a'), msg('\uFEFFc')],
  },
  {
    name: 'a realistic transcript',
    input:
      ': keep-alive\n\nretry: 3000\n\nid: 1\ndata: {"type":"start"}\n\nid: 2\ndata: {"type":"text-delta","delta":"h\u00e9\ud83d\ude42"}\n\n',
    expected: [
      { comment: 'keep-alive' },
      { retry: 3000 },
      msg('{"type":"start"}', { id: '1' }),
      msg('{"type":"text-delta","delta":"hé🙂"}', { id: '2' }),
    ],
  },
];

/** Runs one parser over `chunks` and returns everything it reported. */
function parse(chunks: readonly (string | Uint8Array)[]): Report[] {
  const reports: Report[] = [];
  const parser = createSseParser({
    onEvent: (event) => reports.push({ event }),
    onRetry: (retry) => reports.push({ retry }),
    onComment: (comment) => reports.push({ comment }),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return reports;
}

const encoder = new TextEncoder();
const offsets = (length: number): number[] => Array.from({ length: length + 1 }, (_, i) => i);

// Each way of chunking maps every cut to the reports it produced; all must match the fixture.
const chunkings: Record<string, (input: string) => { cut: string; reports: Report[] }[]> = {
  'as one string chunk': (input) => [{ cut: 'none', reports: parse([input]) }],
  'as one byte chunk': (input) => [{ cut: 'none', reports: parse([encoder.encode(input)]) }],
  'as two byte chunks, cut at every byte offset': (input) => {
    const bytes = encoder.encode(input);
    return offsets(bytes.length).map((at) => ({
      cut: `byte ${at}`,
      reports: parse([bytes.slice(0, at), bytes.slice(at)]),
    }));
  },
  'as two string chunks, cut at every UTF-16 offset': (input) =>
    offsets(input.length).map((at) => ({
      cut: `char ${at}`,
      reports: parse([input.slice(0, at), input.slice(at)]),
    })),
  'one byte at a time': (input) => {
    const bytes = encoder.encode(input);
    return [
      { cut: 'every byte', reports: parse(Array.from(bytes, (byte) => Uint8Array.of(byte))) },
    ];
  },
};

describe('createSseParser (WHATWG HTML 9.2.6)', () => {
  describe.each(fixtures)('$name', ({ input, expected }) => {
    it.each(Object.keys(chunkings))('%s', (chunking) => {
      const results = chunkings[chunking](input);
      expect(results).toEqual(results.map(({ cut }) => ({ cut, reports: expected })));
    });
  });

  describe('reset()', () => {
    it('forgets the last event id, buffers, pending line and event type', () => {
      const reports: Report[] = [];
      const parser = createSseParser({ onEvent: (event) => reports.push({ event }) });
      parser.feed('id: 1\ndata: a\n\nevent: e\ndata: pending\nda');
      parser.reset();
      parser.feed('ta: b\n\ndata: c\n\n');
      // `ta: b` is an unknown field of the new stream, not the end of the old `da`.
      expect(reports).toEqual([msg('a', { id: '1' }), msg('c')]);
    });

    it('strips a BOM again on the new stream', () => {
      const reports: Report[] = [];
      const parser = createSseParser({ onEvent: (event) => reports.push({ event }) });
      parser.feed('\uFEFFdata: a\n\n');
      parser.reset();
      parser.feed('\uFEFFdata: b\n\n');
      expect(reports).toEqual([msg('a'), msg('b')]);
    });

    it('drops half a character held by the decoder', () => {
      const reports: Report[] = [];
      const parser = createSseParser({ onEvent: (event) => reports.push({ event }) });
      parser.feed(encoder.encode('data: 🙂').slice(0, 8));
      parser.reset();
      parser.feed(encoder.encode('data: b\n\n'));
      expect(reports).toEqual([msg('b')]);
    });

    it('called from a handler, ends the parse of the current chunk', () => {
      const reports: Report[] = [];
      const parser = createSseParser({
        onEvent: (event) => {
          reports.push({ event });
          if (event.data === 'a') parser.reset();
        },
      });
      parser.feed('id: 1\ndata: a\n\ndata: b\n\n');
      parser.feed('data: c\n\n');
      expect(reports).toEqual([msg('a', { id: '1' }), msg('c')]);
    });
  });

  describe('decoding', () => {
    it('turns invalid UTF-8 into U+FFFD', () => {
      expect(parse([Uint8Array.of(0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a)])).toEqual([
        msg('\uFFFD'),
      ]);
    });

    it('flushes half a character as U+FFFD when a string chunk follows bytes', () => {
      const bytes = encoder.encode('data: é');
      expect(parse([bytes.slice(0, bytes.length - 1), 'x\n\n'])).toEqual([msg('\uFFFDx')]);
    });

    it('mixes byte and string chunks', () => {
      expect(parse([encoder.encode('data: a'), '\r', encoder.encode('\n\r\n')])).toEqual([
        msg('a'),
      ]);
    });

    it('keeps a pending CR across an empty chunk', () => {
      expect(parse(['data: a\r', '', new Uint8Array(0), '\ndata: b\n\n'])).toEqual([msg('a\nb')]);
    });
  });

  it('works without the optional handlers', () => {
    const events: SseEvent[] = [];
    const parser = createSseParser({ onEvent: (event) => events.push(event) });
    parser.feed(': comment\nretry: 10\ndata: a\n\n');
    expect(events).toEqual([{ data: 'a' }]);
  });

  it('omits event and id (rather than setting them undefined) when unset', () => {
    const events: SseEvent[] = [];
    createSseParser({ onEvent: (event) => events.push(event) }).feed('data: a\n\n');
    expect(events[0]).toStrictEqual({ data: 'a' });
  });
});
