const LF = 0x0a;

type State = 'size' | 'data' | 'data-end' | 'trailer';

/**
 * Decodes an HTTP/1.1 chunked body (RFC 9112 §7.1) as it arrives, handing each piece of data on
 * without copying it. Chunk extensions and trailer fields are skipped: the load generator needs
 * only the bytes and the end.
 */
export class ChunkedBody {
  /** Set once the last chunk (size 0) and the empty line after the trailers arrived. */
  ended = false;
  private state: State = 'size';
  /** A size or trailer line that a read cut in two. */
  private line = '';
  /** Bytes left in the current chunk's data, or of the CRLF after it. */
  private remaining = 0;

  constructor(private readonly onData: (data: Buffer) => void) {}

  /** Feeds the next bytes of the body; throws on a size line that is not hexadecimal. */
  push(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length && !this.ended) {
      if (this.state === 'data' || this.state === 'data-end') {
        const end = Math.min(bytes.length, at + this.remaining);
        if (this.state === 'data') this.onData(bytes.subarray(at, end));
        this.remaining -= end - at;
        at = end;
        if (this.remaining === 0) {
          // After the data comes CRLF, then the next size line.
          this.state = this.state === 'data' ? 'data-end' : 'size';
          this.remaining = this.state === 'data-end' ? 2 : 0;
        }
        continue;
      }
      const eol = bytes.indexOf(LF, at);
      if (eol < 0) {
        this.line += bytes.toString('latin1', at);
        return;
      }
      const line = (this.line + bytes.toString('latin1', at, eol)).replace(/\r$/, '');
      this.line = '';
      at = eol + 1;
      if (this.state === 'trailer') {
        this.ended = line === '';
        continue;
      }
      // `1a;name=value`: the size is the hex digits before any extension.
      const size = /^[0-9a-fA-F]+/.exec(line);
      if (!size) throw new Error(`not a chunk size line: ${JSON.stringify(line)}`);
      this.remaining = parseInt(size[0], 16);
      this.state = this.remaining === 0 ? 'trailer' : 'data';
    }
  }
}
