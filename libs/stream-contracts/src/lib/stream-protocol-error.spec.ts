import { PROTOCOL_ERROR_EXCERPT_CHARS, StreamProtocolError } from './stream-protocol-error';

describe('StreamProtocolError', () => {
  it('is an Error named StreamProtocolError', () => {
    const error = new StreamProtocolError('Broken');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StreamProtocolError');
    expect(error.message).toBe('Broken');
    expect(String(error)).toBe('StreamProtocolError: Broken');
  });

  it('quotes a short payload whole, control characters escaped', () => {
    expect(new StreamProtocolError('Bad', 'a\nb').message).toBe('Bad: "a\\nb"');
  });

  it('quotes at most the excerpt limit of a long payload', () => {
    const message = new StreamProtocolError('Bad', 'y'.repeat(5000)).message;
    expect(message).toBe(`Bad: "${'y'.repeat(PROTOCOL_ERROR_EXCERPT_CHARS)}"… (5000 characters)`);
  });

  it('never cuts a surrogate pair in half', () => {
    const payload = 'a'.repeat(PROTOCOL_ERROR_EXCERPT_CHARS - 1) + '🙂'.repeat(10);
    const message = new StreamProtocolError('Bad', payload).message;
    expect(message).toContain(`"${'a'.repeat(PROTOCOL_ERROR_EXCERPT_CHARS - 1)}"…`);
    expect(message).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
