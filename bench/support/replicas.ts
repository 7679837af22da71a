import { productionNodeFlags, startCompiledWorker, type CompiledWorker } from './worker';

/**
 * Worker replicas on one task queue, as a deployment scales out: each the compiled worker
 * (node dist/worker.js with npm start's flags), all with the same settings. Started one after the
 * other, so only the first runs the migrations.
 */
export class Replicas {
  readonly workers: Array<CompiledWorker | undefined> = [];
  private readonly ended: CompiledWorker[] = [];

  constructor(
    readonly count: number,
    private env: Record<string, string>,
    /** Node flags of each replica; npm start's by default. */
    private readonly nodeFlags: string[] = productionNodeFlags(),
  ) {}

  async start(env: Record<string, string> = this.env): Promise<void> {
    await this.stop();
    this.env = env;
    for (let i = 0; i < this.count; i += 1) this.workers[i] = await startCompiledWorker(env, this.nodeFlags);
  }

  pids(): number[] {
    return this.workers.flatMap((worker) => (worker ? [worker.pid] : []));
  }

  /** Peak resident memory (VmHWM) of each replica running, in MB. */
  peakRssMb(): number[] {
    return this.workers.flatMap((worker) => (worker ? [worker.peakRssMb()] : []));
  }

  /** SIGKILL of one replica, as a crash: it stays down until restart(). */
  async kill(index: number): Promise<CompiledWorker> {
    const worker = this.workers[index];
    if (!worker) throw new Error(`replica ${index} is not running`);
    await worker.kill();
    this.workers[index] = undefined;
    this.ended.push(worker);
    return worker;
  }

  async restart(index: number): Promise<void> {
    if (this.workers[index]) return;
    this.workers[index] = await startCompiledWorker(this.env, this.nodeFlags);
  }

  /** Replicas that exited without being told to (neither kill() nor stop()), with how and their last lines. */
  exitedOnTheirOwn(): string[] {
    return this.workers.flatMap((worker, index) => {
      const exit = worker?.exit();
      if (!worker || !exit) return [];
      const tail = worker.output().trimEnd().split('\n').slice(-15).join('\n');
      return [
        `replica ${index + 1} (pid ${worker.pid}) exited on its own (code ${exit.code}, signal ${exit.signal}):\n${tail}`,
      ];
    });
  }

  /** The replicas' output, for a failure's report. */
  output(): string {
    return [...this.ended, ...this.workers.flatMap((w) => (w ? [w] : []))].map((w) => w.output()).join('\n');
  }

  /** SIGTERM to every replica running; each drains at a page boundary and exits. */
  async stop(): Promise<void> {
    for (const [index, worker] of this.workers.entries()) {
      if (!worker) continue;
      await worker.stop();
      this.ended.push(worker);
      this.workers[index] = undefined;
    }
  }
}
