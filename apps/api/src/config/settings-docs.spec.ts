import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { authSettings } from './auth-settings';
import { settingsSchema } from './settings';

const README = join(__dirname, '..', '..', '..', '..', 'README.md');

/** A setting's README row, from its schema: name, meaning, and the default as the README shows it. */
function rowOf(name: string, schema: z.ZodType): string {
  const meta = schema.meta() ?? {};
  if (!meta['description']) throw new Error(`${name} has no description in the settings schema`);
  const shown =
    (meta['shown'] as string | undefined) ??
    (schema.def.type === 'default'
      ? `\`${(schema.def as unknown as { defaultValue: unknown }).defaultValue}\``
      : 'none');
  return `| \`${name}\` | ${meta['description']} | ${shown} |`;
}

/** The rows of the table under `heading` (up to the next heading), white space folded. */
function readmeRows(heading: string): string[] {
  const lines = readFileSync(README, 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no "${heading}"`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('#'));
  return lines
    .slice(start, end)
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.replace(/\s+/g, ' '));
}

describe("the README's settings tables", () => {
  const all = Object.entries(settingsSchema.shape) as [string, z.ZodType][];
  const isAuth = (name: string) => name in authSettings;

  it('list every setting the api reads, as the schema describes it, in its order', () => {
    expect(readmeRows('## Configuration')).toEqual(
      all.filter(([name]) => !isAuth(name)).map(([name, schema]) => rowOf(name, schema)),
    );
    expect(readmeRows('### Authentication')).toEqual(
      all.filter(([name]) => isAuth(name)).map(([name, schema]) => rowOf(name, schema)),
    );
  });
});
