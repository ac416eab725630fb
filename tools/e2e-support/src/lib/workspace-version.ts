import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The workspace's version (its `package.json`): the one the api reports, the image is tagged and
 * labelled with, and the Helm chart carries as its `appVersion`.
 */
export const WORKSPACE_VERSION = (
  JSON.parse(readFileSync(resolve(__dirname, '../../../../package.json'), 'utf8')) as {
    version: string;
  }
).version;
