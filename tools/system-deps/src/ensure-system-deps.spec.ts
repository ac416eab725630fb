import { APT_GET, ensureSystemDeps } from './ensure-system-deps.cjs';
import type { FileProbe } from './find-executable.cjs';
import type { SystemNeed } from './system-needs.cjs';

const NEEDS: SystemNeed[] = [
  { package: 'chromium', binary: '/usr/bin/chromium', override: 'CHROMIUM_PATH', usedBy: 'web' },
  { package: 'nginx', binary: '/usr/sbin/nginx', override: 'NGINX_BIN', usedBy: 'deploy' },
  { package: 'redis-server', binary: '/usr/bin/redis-server', usedBy: 'limits' },
];
const ALL = NEEDS.map(({ binary }) => binary);

interface MachineOptions {
  /** This process's user id: root unless said otherwise; `undefined` where there are no ids. */
  uid?: number | undefined;
  env?: Record<string, string>;
  /** What a successful `apt-get install` puts in place: by default, every need's path. */
  installs?: string[];
}

/** A machine whose executables are exactly `paths`, and what ensureSystemDeps did to it. */
function machine(paths: string[], options: MachineOptions = {}) {
  const { env = {}, installs = ALL } = options;
  const uid = 'uid' in options ? options.uid : 0;
  const executables = new Set(paths);
  // Literal paths only: no need here has a `*`, so nothing is listed.
  const files: FileProbe = { exists: (path) => executables.has(path), list: () => [] };
  const ran: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const statuses = new Map<string, number>();
  const code = () =>
    ensureSystemDeps({
      needs: NEEDS,
      env,
      files,
      uid,
      run: (command, args) => {
        ran.push([command, ...args].join(' '));
        const status = statuses.get(args[0]) ?? 0;
        // A successful install puts the binaries in place, as dpkg would.
        if (args[0] === 'install' && status === 0) installs.forEach((p) => executables.add(p));
        return status;
      },
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
  return { code, ran, out, err, statuses };
}

describe('ensureSystemDeps', () => {
  it('does nothing but say so in one line when everything is there', () => {
    const m = machine([...ALL, APT_GET]);
    expect(m.code()).toBe(0);
    expect(m.ran).toEqual([]);
    expect(m.out).toEqual(['system packages present: ' + ALL.join(', ')]);
    expect(m.err).toEqual([]);
  });

  it('counts an override that names an executable as the need met', () => {
    const m = machine(['/opt/chrome/chrome', '/usr/sbin/nginx', '/usr/bin/redis-server'], {
      uid: 1000,
      env: { CHROMIUM_PATH: '/opt/chrome/chrome' },
    });
    expect(m.code()).toBe(0);
    expect(m.out[0]).toContain('/opt/chrome/chrome');
  });

  it('refuses a set override that names no executable, without installing anything', () => {
    const m = machine([APT_GET], { env: { NGINX_BIN: '/opt/nginx/missing' } });
    expect(m.code()).toBe(1);
    expect(m.err).toEqual([
      'tokenstream tests: NGINX_BIN=/opt/nginx/missing: not an executable file; fix or unset it',
    ]);
    expect(m.ran).toEqual([]);
  });

  it('treats an empty override as unset, as the suites do', () => {
    const m = machine(ALL, { uid: 1000, env: { NGINX_BIN: '' } });
    expect(m.code()).toBe(0);
  });

  it('as a user who is not root, names the one command for the missing packages and stops', () => {
    const m = machine(['/usr/bin/chromium', APT_GET], { uid: 1000 });
    expect(m.code()).toBe(1);
    expect(m.err).toEqual([
      'tokenstream tests need Debian packages: run  sudo apt-get update && ' +
        'sudo apt-get install -y --no-install-recommends nginx redis-server',
    ]);
    expect(m.ran).toEqual([]);
    expect(m.out).toEqual([]);
  });

  it('names the command too when there is no apt-get to run, or no user id at all', () => {
    for (const m of [machine([]), machine([APT_GET], { uid: undefined })]) {
      expect(m.code()).toBe(1);
      expect(m.err).toHaveLength(1);
      expect(m.err[0]).toMatch(/install -y --no-install-recommends chromium nginx redis-server$/);
      expect(m.ran).toEqual([]);
    }
  });

  it('as root with apt-get, updates once, installs only what is missing, and checks again', () => {
    const m = machine(['/usr/bin/chromium', APT_GET]);
    expect(m.code()).toBe(0);
    expect(m.ran).toEqual([
      `${APT_GET} update -qq`,
      `${APT_GET} install -y -qq --no-install-recommends nginx redis-server`,
    ]);
    expect(m.err).toEqual([]);
    expect(m.out.at(-1)).toBe('installed nginx, redis-server');
  });

  it('fails, naming the path, when the install succeeded but a binary is still not there', () => {
    const m = machine([APT_GET], { installs: ['/usr/bin/chromium', '/usr/sbin/nginx'] });
    expect(m.code()).toBe(1);
    expect(m.err).toEqual([
      'tokenstream tests: still missing after apt-get install: ' +
        '/usr/bin/redis-server (redis-server)',
    ]);
  });

  it('stops at the first apt-get that fails', () => {
    const m = machine([APT_GET]);
    m.statuses.set('update', 100);
    expect(m.code()).toBe(1);
    expect(m.ran).toEqual([`${APT_GET} update -qq`]);
    expect(m.err).toEqual(['tokenstream tests: apt-get update -qq failed (its output is above)']);
  });

  it('installs a package once however many of its binaries are missing, found by a pattern', () => {
    const needs: SystemNeed[] = [
      { package: 'postgresql', binary: '/usr/lib/postgresql/*/bin/postgres', usedBy: 'db' },
      { package: 'postgresql', binary: '/usr/lib/postgresql/*/bin/initdb', usedBy: 'db' },
    ];
    const ran: string[] = [];
    const installed = new Set([APT_GET]);
    const code = ensureSystemDeps({
      needs,
      env: {},
      files: {
        exists: (path) => installed.has(path),
        list: (dir) => (dir === '/usr/lib/postgresql' && installed.size > 1 ? ['15'] : []),
      },
      uid: 0,
      run: (command, args) => {
        ran.push(args.join(' '));
        ['postgres', 'initdb'].forEach((b) => installed.add(`/usr/lib/postgresql/15/bin/${b}`));
        return 0;
      },
      out: () => undefined,
      err: () => undefined,
    });
    expect(code).toBe(0);
    expect(ran).toEqual(['update -qq', 'install -y -qq --no-install-recommends postgresql']);
  });
});
