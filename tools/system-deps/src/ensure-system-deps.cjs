#!/usr/bin/env node
// @ts-check
'use strict';

// `npm test` runs this first: it makes sure the programs the suites start for real (SYSTEM_NEEDS)
// are there, installing Debian's packages when it may, so no suite fails, or gets skipped, for a
// missing browser or server. Plain CommonJS and Node's built-ins only: it runs before anything
// else is built, with nothing but `node`.

const { spawnSync } = require('node:child_process');
const { realFiles } = require('./find-executable.cjs');
const { locateNeeds } = require('./locate-needs.cjs');
const { SYSTEM_NEEDS } = require('./system-needs.cjs');

/**
 * @typedef {import('./system-needs.cjs').SystemNeed} SystemNeed
 * @typedef {import('./find-executable.cjs').FileProbe} FileProbe
 */

/** Where Debian has apt-get; it is run by this path, so a PATH without /usr/bin still works. */
const APT_GET = '/usr/bin/apt-get';

/**
 * What ensureSystemDeps looks at and acts through: the real machine, or a test's stand-ins.
 * @typedef {object} EnsureOptions
 * @property {readonly SystemNeed[]} needs
 * @property {Readonly<Record<string, string | undefined>>} env Where the override variables are.
 * @property {FileProbe} files
 * @property {number | undefined} uid This process's user id; undefined where there is none.
 * @property {(command: string, args: string[]) => number} run Runs a command, its output shown
 *   as it comes, and returns its exit status.
 * @property {(line: string) => void} out
 * @property {(line: string) => void} err
 */

/**
 * Checks every need; installs the missing packages with apt-get when this process is root on a
 * Debian machine, else names the one command to run. Returns the exit code: 0 once all are there.
 * @param {EnsureOptions} options
 * @returns {number}
 */
function ensureSystemDeps({ needs, env, files, uid, run, out, err }) {
  const statuses = locateNeeds(needs, env, files);

  // A broken override cannot be mended by installing a package: the suite would still use it.
  const badOverrides = statuses.filter((status) => status.override && !status.found);
  if (badOverrides.length > 0) {
    const named = badOverrides.map(({ need, override }) => `${need.override}=${override}`);
    err(`tokenstream tests: ${named.join(', ')}: not an executable file; fix or unset it`);
    return 1;
  }

  const missing = unique(
    statuses.filter((status) => !status.found).map(({ need }) => need.package),
  );
  if (missing.length === 0) {
    out(`system packages present: ${statuses.map(({ found }) => found).join(', ')}`);
    return 0;
  }

  const install = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
  if (uid !== 0 || !files.exists(APT_GET)) {
    err(
      `tokenstream tests need Debian packages: run  sudo apt-get update && ` +
        `sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
    return 1;
  }

  out(`tokenstream tests need Debian packages ${missing.join(', ')}: installing them`);
  // Once per run: a fresh machine (a CI container) has no package lists at all.
  for (const args of [['update', '-qq'], install]) {
    if (run(APT_GET, args) !== 0) {
      err(`tokenstream tests: apt-get ${args.join(' ')} failed (its output is above)`);
      return 1;
    }
  }

  const stillMissing = locateNeeds(needs, env, files).filter((status) => !status.found);
  if (stillMissing.length > 0) {
    const named = stillMissing.map(({ need }) => `${need.binary} (${need.package})`);
    err(`tokenstream tests: still missing after apt-get install: ${named.join(', ')}`);
    return 1;
  }
  out(`installed ${missing.join(', ')}`);
  return 0;
}

/**
 * @param {string[]} items
 * @returns {string[]}
 */
function unique(items) {
  return [...new Set(items)];
}

module.exports = { ensureSystemDeps, APT_GET };

if (require.main === module) {
  process.exitCode = ensureSystemDeps({
    needs: SYSTEM_NEEDS,
    env: process.env,
    files: realFiles,
    uid: process.getuid?.(),
    run: (command, args) =>
      spawnSync(command, args, {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status ?? 1,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}
