// @ts-check
'use strict';

const { accessSync, constants, readdirSync, statSync } = require('node:fs');

/**
 * How a search sees the file system; the real one unless a test injects its own.
 * @typedef {object} FileProbe
 * @property {(path: string) => boolean} exists Whether `path` is an executable file.
 * @property {(dir: string) => string[]} list The names in `dir` (none if it cannot be read).
 */

/** @type {FileProbe} */
const realFiles = {
  exists: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/**
 * The first executable file that `pattern` (an absolute path, with `*` standing for any one name
 * in a segment) names, or undefined. Matches are tried newest version first.
 * @param {string} pattern
 * @param {FileProbe} [files]
 * @returns {string | undefined}
 */
function findExecutable(pattern, files = realFiles) {
  return expand(pattern, files).find((path) => files.exists(path));
}

/**
 * @param {string} pattern
 * @param {FileProbe} files
 * @returns {string[]}
 */
function expand(pattern, files) {
  let paths = [''];
  for (const segment of pattern.split('/').slice(1)) {
    if (!segment.includes('*')) {
      paths = paths.map((path) => `${path}/${segment}`);
      continue;
    }
    const matcher = new RegExp(`^${segment.split('*').map(escapeRegExp).join('.*')}$`);
    paths = paths.flatMap((path) =>
      files
        .list(path || '/')
        .filter((name) => matcher.test(name))
        // Numeric order, descending: /usr/lib/postgresql/16 before 15 before 9.6.
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
        .map((name) => `${path}/${name}`),
    );
  }
  return paths;
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

module.exports = { findExecutable, realFiles };
