import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_FILE } from '../openapi-document';

const README = readFileSync(
  join(__dirname, '..', '..', '..', '..', 'libs', 'stream-contracts', 'README.md'),
  'utf8',
);
// The committed document, which openapi.spec.ts holds equal to the one the code builds.
const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenAPIObject;

/** The rows of the first table after `heading`, as arrays of trimmed cells. */
function tableAfter(heading: string): string[][] {
  const start = README.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const lines = README.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** The text inside the first backticks of a cell. */
const code = (cell: string) => /`([^`]+)`/.exec(cell)?.[1];

describe('the stream-contracts README and the OpenAPI document', () => {
  it('lists exactly the error codes of ErrorCodes', () => {
    const listed = tableAfter('### Error codes').map(([cell]) => code(cell));
    expect([...listed].sort()).toEqual(Object.values(ErrorCodes).sort());
  });

  it('mentions every native route path of the document', () => {
    const native = Object.keys(document.paths).filter((path) => path.startsWith('/api/'));
    expect(native.length).toBeGreaterThan(0);
    // The README writes path parameters Express-style: `/api/streams/:streamId`.
    const unmentioned = native
      .map((path) => path.replace(/\{(\w+)\}/g, ':$1'))
      .filter((path) => !README.includes(path));
    expect(unmentioned).toEqual([]);
  });

  it('tables the same frame types as the StreamFrame schema', () => {
    const frames = document.components?.schemas?.['StreamFrame'] as {
      discriminator: { mapping: Record<string, string> };
    };
    const inReadme = tableAfter('### The stream').map(
      ([cell]) => /"type": "([^"]+)"/.exec(cell)?.[1],
    );
    expect([...inReadme].sort()).toEqual(Object.keys(frames.discriminator.mapping).sort());
  });
});
