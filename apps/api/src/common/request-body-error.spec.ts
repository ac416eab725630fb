import { RequestBodyError } from './request-body-error';

/** An error shaped as body-parser (through `http-errors`) makes them. */
function bodyParserError(status: number, type: string, message: string, extra: object = {}) {
  return Object.assign(new Error(message), { status, statusCode: status, type, ...extra });
}

describe('RequestBodyError.from', () => {
  it('names a JSON syntax error invalid_json, with the parser’s reason', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(RequestBodyError.from(syntax)).toMatchObject({
      code: 'invalid_json',
      message: 'The request body is not valid JSON: Unexpected end of JSON input',
    });
    expect(RequestBodyError.from(syntax)?.getStatus()).toBe(400);
  });

  it('names a body over the limit request_too_large, with the limit in bytes', () => {
    const tooLarge = bodyParserError(413, 'entity.too.large', 'request entity too large', {
      limit: 1_048_576,
    });
    expect(RequestBodyError.from(tooLarge)).toMatchObject({
      code: 'request_too_large',
      message: 'The request body is larger than the limit of 1048576 bytes.',
    });
  });

  it('leaves errors that are not a refused body alone, body-parser’s own 5xx bugs included', () => {
    expect(RequestBodyError.from(new Error('boom'))).toBeUndefined();
    expect(RequestBodyError.from('not an error')).toBeUndefined();
    const bug = bodyParserError(500, 'stream.encoding.set', 'stream encoding should not be set');
    expect(RequestBodyError.from(bug)).toBeUndefined();
  });

  it('returns a RequestBodyError as it is', () => {
    const error = new RequestBodyError(415, 'unsupported_body_encoding', 'No.');
    expect(RequestBodyError.from(error)).toBe(error);
  });
});
