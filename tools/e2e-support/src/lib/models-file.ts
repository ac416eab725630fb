import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes a `MODELS_FILE` (`name` says JSON or YAML) holding `text`, as an operator would; returns its path. */
export function writeModelsFile(text: string, name = 'models.yaml'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tokenstream-models-')), name);
  writeFileSync(path, text);
  return path;
}
