// @ts-check
'use strict';

const { findExecutable, realFiles } = require('./find-executable.cjs');

/**
 * @typedef {import('./system-needs.cjs').SystemNeed} SystemNeed
 * @typedef {import('./find-executable.cjs').FileProbe} FileProbe
 */

/**
 * Where one need stands: the executable a suite would start, if there is one.
 * @typedef {object} NeedStatus
 * @property {SystemNeed} need
 * @property {string} [found] The executable the suite will use; absent when it is missing.
 * @property {string} [override] The override variable's value, when it is set.
 */

/**
 * Looks each need up as its suite does: the override variable's path when it is set (empty
 * counts as unset, as the suites read it with `||`), else the package's default path.
 * @param {readonly SystemNeed[]} needs
 * @param {Readonly<Record<string, string | undefined>>} env
 * @param {FileProbe} [files]
 * @returns {NeedStatus[]}
 */
function locateNeeds(needs, env, files = realFiles) {
  return needs.map((need) => {
    const override = need.override ? env[need.override] : undefined;
    if (override) {
      return files.exists(override) ? { need, override, found: override } : { need, override };
    }
    const found = findExecutable(need.binary, files);
    return found ? { need, found } : { need };
  });
}

module.exports = { locateNeeds };
