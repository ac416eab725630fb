#!/usr/bin/env node
// @ts-check
'use strict';

// `npm run image`: builds the tokenstream image (deploy/container/Containerfile) over the
// production bundle in dist/, which `nx run deploy:image` builds first. Plain CommonJS on Node's
// built-ins. Extra arguments go to the engine's `build` (`npm run image -- --build-arg …`).
//
//   CONTAINER_ENGINE  docker or podman (default: docker when its daemon answers, else podman)
//   CA_BUNDLE         a CA bundle file for a TLS-intercepting proxy, passed as the build secret
//                     `ca_bundle` (mounted while npm fetches packages, never kept in a layer)
//   IMAGE_NAME        the image's name (default: tokenstream), tagged <version> and latest

const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const CONTAINERFILE = join('deploy', 'container', 'Containerfile');
/** What the Containerfile copies from dist/: without them the build would fail half-way. */
const BUNDLE = [
  'dist/apps/api/main.js',
  'dist/apps/api/package.json',
  'dist/apps/api/package-lock.json',
  'dist/apps/web/browser/index.html',
];

/**
 * The engine's command line for one build.
 * @param {object} options
 * @param {'docker' | 'podman'} options.engine
 * @param {string} options.image The name, tagged with the version and `latest`.
 * @param {string} options.version
 * @param {string} options.revision The git commit the image is built from.
 * @param {string} [options.caBundle] A CA bundle file to pass as the `ca_bundle` secret.
 * @param {string[]} [options.extra] More arguments for `build`, after ours.
 * @returns {string[]}
 */
function buildArguments({ engine, image, version, revision, caBundle, extra = [] }) {
  return [
    'build',
    '-f',
    CONTAINERFILE,
    '-t',
    `${image}:${version}`,
    '-t',
    `${image}:latest`,
    '--build-arg',
    `VERSION=${version}`,
    '--build-arg',
    `REVISION=${revision}`,
    // Podman writes OCI images unless told, and the OCI format has no HEALTHCHECK.
    ...(engine === 'podman' ? ['--format', 'docker'] : []),
    ...(caBundle ? ['--secret', `id=ca_bundle,src=${caBundle}`] : []),
    ...extra,
    '.',
  ];
}

/**
 * The engine to build with: the one named, else docker when its daemon answers, else podman.
 * @param {string | undefined} named
 * @returns {'docker' | 'podman'}
 */
function chooseEngine(named) {
  if (named === 'docker' || named === 'podman') return named;
  if (named) throw new Error(`CONTAINER_ENGINE=${named}: expected docker or podman`);
  const docker = spawnSync('docker', ['info'], { stdio: 'ignore' });
  return docker.status === 0 ? 'docker' : 'podman';
}

/** @returns {string} */
function gitRevision() {
  const git = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : 'unknown';
}

/** @returns {number} the exit code */
function main() {
  const missing = BUNDLE.filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0) {
    console.error(
      `tokenstream image: ${missing.join(', ')} missing: build first (npx nx run-many -t build -p api web)`,
    );
    return 1;
  }
  const caBundle = process.env['CA_BUNDLE'] || undefined;
  if (caBundle && !existsSync(caBundle)) {
    console.error(`tokenstream image: CA_BUNDLE=${caBundle}: no such file`);
    return 1;
  }
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const engine = chooseEngine(process.env['CONTAINER_ENGINE'] || undefined);
  const args = buildArguments({
    engine,
    image: process.env['IMAGE_NAME'] || 'tokenstream',
    version,
    revision: gitRevision(),
    caBundle,
    extra: process.argv.slice(2),
  });
  console.log(`${engine} ${args.join(' ')}`);
  const build = spawnSync(engine, args, { cwd: ROOT, stdio: 'inherit' });
  if (build.error) {
    console.error(`tokenstream image: cannot run ${engine}: ${build.error.message}`);
    return 1;
  }
  return build.status ?? 1;
}

if (require.main === module) process.exitCode = main();
