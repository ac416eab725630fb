import { MockOptionsError } from './mock-options';
import { REQUEST_OPTIONS_PREFIX, requestOptionsOf } from './request-options';

const own = (options: unknown) => ({
  role: 'system',
  content: `${REQUEST_OPTIONS_PREFIX}${JSON.stringify(options)}`,
});

describe('requestOptionsOf', () => {
  it('reads the options of the message that carries them, validated', () => {
    const messages = [
      own({ reply: 'Hi 🙂', chunks: 2, fault: 'cut' }),
      { role: 'user', content: 'x' },
    ];
    expect(requestOptionsOf(messages)).toEqual({ reply: 'Hi 🙂', chunks: 2, fault: 'cut' });
  });

  it('is undefined when no message carries options', () => {
    expect(requestOptionsOf([{ role: 'user', content: 'mock-openai without a colon' }])).toBe(
      undefined,
    );
    expect(requestOptionsOf([{ role: 'user', content: [{ type: 'text', text: 'x' }] }])).toBe(
      undefined,
    );
  });

  it('takes the first message that carries options', () => {
    expect(requestOptionsOf([own({ chunks: 1 }), own({ chunks: 2 })])).toEqual({ chunks: 1 });
  });

  it.each([
    ['not JSON', `${REQUEST_OPTIONS_PREFIX}{reply`, /must be followed by a JSON object/],
    ['an array', `${REQUEST_OPTIONS_PREFIX}[1]`, /must be followed by a JSON object/],
    [
      'a knob of the whole mock',
      own({ faultCount: 1 }).content,
      /"faultCount" cannot be set per request/,
    ],
    ['an invalid value', own({ chunks: 0 }).content, /chunks must be an integer from 1/],
  ])('refuses %s', (_, content, message) => {
    const read = () => requestOptionsOf([{ role: 'user', content }]);
    expect(read).toThrow(MockOptionsError);
    expect(read).toThrow(message);
  });
});
