import { resolve } from 'node:path';
import { startApi, waitForLog, type ApiProcess, type ProcessExit } from '@tokenstream/e2e-support';

/** Preloaded into each api: a full GC and a memory line on SIGWINCH (see the file). */
const GC_ON_SIGNAL = resolve(__dirname, 'gc-on-signal.cjs');

/** How long the GC and its memory line may take. */
const GC_TIMEOUT_MS = 10_000;

/** The memory of a process right after a full garbage collection, in MiB. */
export interface MemoryAfterGc {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

const MIB = 1024 * 1024;

/** One api process under soak, and where it is in its life. */
export class SoakInstance {
  /** Set when SIGTERM was sent: no new stream goes here after that. */
  stoppingSince: number | undefined;
  /** How the process ended, once it has. */
  exit: ProcessExit | undefined;
  /** When it ended (performance.now()). */
  exitedAt: number | undefined;

  private constructor(
    readonly name: string,
    readonly api: ApiProcess,
  ) {
    void api.exited.then((exit) => {
      this.exit = exit;
      this.exitedAt = performance.now();
    });
  }

  /** Starts the built api (`dist/apps/api/main.js`) with `env`, on 127.0.0.1 and a free port. */
  static async start(name: string, env: Record<string, string>): Promise<SoakInstance> {
    return new SoakInstance(
      name,
      await startApi({ ...env, NODE_OPTIONS: `--require ${GC_ON_SIGNAL}` }),
    );
  }

  /** Runs a full GC in the api (SIGWINCH, see gc-on-signal.cjs) and reads its memory after it. */
  async collectGarbage(): Promise<MemoryAfterGc> {
    const sent = Date.now();
    this.api.child.kill('SIGWINCH');
    const line = await waitForLog(
      this.api,
      (l) => l.msg === 'soak-gc' && typeof l['at'] === 'number' && l['at'] >= sent,
      GC_TIMEOUT_MS,
    );
    const mib = (field: string) => Number(line[field]) / MIB;
    return { rssMiB: mib('rss'), heapUsedMiB: mib('heapUsed'), externalMiB: mib('external') };
  }

  get url(): string {
    return this.api.url;
  }

  get port(): number {
    return Number(new URL(this.api.url).port);
  }

  get pid(): number {
    const { pid } = this.api.child;
    if (pid === undefined) throw new Error(`api ${this.name} has no pid`);
    return pid;
  }

  /** True once SIGTERM was sent or the process ended: a failed connection is then expected. */
  get going(): boolean {
    return this.stoppingSince !== undefined || this.exit !== undefined;
  }

  /** Sends SIGTERM (SIGKILL after e2e-support's grace) and resolves with how it ended. */
  async stop(): Promise<ProcessExit> {
    this.stoppingSince ??= performance.now();
    return this.api.stop('SIGTERM');
  }
}
