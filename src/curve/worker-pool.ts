/**
 * A pool of worker threads that run typed tasks (tasks.ts) with the caller,
 * synchronously: `run(kind, payloads)` posts every payload to every worker
 * once, then all threads — the workers and this one — claim task after task
 * from one shared counter (Atomics.add) until none is left, so no thread idles
 * while tasks remain; this thread then waits (Atomics.wait) for the workers to
 * finish their last. Results come back through one shared block the pool
 * allocates (each task's `resultBytes`), read with the kind's `read`.
 *
 * Each worker runs the worker program (src/worker.ts: the library's task
 * kinds, with its own wasm runtime), started by the platform
 * (worker-platform.ts: Node's worker_threads or Web Workers). Where there are
 * no workers, no SharedArrayBuffer, or this thread may not block (a browser
 * page's main thread), `WorkerPool.create` returns undefined and callers run
 * the tasks here (`runTasks` does either).
 *
 * In a browser, run the prover inside a dedicated Worker: it may block, and it
 * spawns the pool's workers as sub-workers. A new Web Worker may not start
 * while its parent blocks, so there `await pool.ready()` once before the first
 * synchronous run.
 */
import { currentPlatform, type WorkerPlatform, type WorkerPort } from './worker-platform.js';
import { MESSAGE_BYTES, SlotState, STATE_WORDS, WorkerPoolError, type TaskKind } from './tasks.js';

export { WorkerPoolError } from './tasks.js';

/** Per run: run a task here in place of `kind.run` (e.g. from data this thread already holds); progress. */
export interface RunOptions {
  /** Compute task i here, writing its result into `out` (must write what `kind.run` would). */
  readonly local?: (i: number, out: Uint8Array) => void;
  /** Called once per task, in order, as this thread sees it claimed. */
  readonly onStart?: (i: number) => void;
}

/** What a caller needs to spread tasks over threads (the pool, or a test's wrapper of it). */
export interface TaskRunner {
  /** Worker threads besides this one. */
  readonly size: number;
  run<P, R>(kind: TaskKind<P, R>, payloads: readonly P[], options?: RunOptions): R[];
}

export interface WorkerPoolOptions {
  /** Default: this runtime's (currentPlatform()). */
  readonly platform?: WorkerPlatform;
  /** The worker program (default: the library's, src/worker.ts); a test passes its own. */
  readonly program?: URL;
}

/** Longest wait for one task (an MSM of 2^20 points takes seconds). */
const WAIT_MS = 600_000;
/** Longest wait for a worker to start its program. */
const START_MS = 60_000;

interface Slot {
  readonly port: WorkerPort;
  readonly state: Int32Array;
}

/** Bytes in shared memory where it exists (and a plain buffer where not: no workers then). */
function sharedBuffer(length: number): ArrayBuffer | SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(length) : new SharedArrayBuffer(length);
}

export class WorkerPool implements TaskRunner {
  private closed = false;

  private constructor(private readonly slots: readonly Slot[]) {}

  /** A pool of `workers` workers, or undefined where workers cannot be used (see above). */
  static create(workers: number, options: WorkerPoolOptions = {}): WorkerPool | undefined {
    if (!Number.isInteger(workers) || workers < 1 || typeof SharedArrayBuffer === 'undefined' || typeof Atomics.wait !== 'function') return undefined;
    const platform = options.platform ?? currentPlatform();
    if (!platform?.canBlock) return undefined;
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < workers; i++) {
        const state = new Int32Array(new SharedArrayBuffer(STATE_WORDS * 4 + MESSAGE_BYTES));
        const port = platform.spawn(options.program);
        port.postMessage({ type: 'init', state: state.buffer as SharedArrayBuffer });
        slots.push({ port, state });
      }
    } catch {
      for (const s of slots) s.port.terminate();
      return undefined;
    }
    return new WorkerPool(slots);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Resolves once every worker runs its program (needed before blocking where a parent must yield for workers to start). */
  async ready(timeoutMs = START_MS): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const s of this.slots) {
      while (Atomics.load(s.state, 1) !== 1) {
        if (Date.now() > until) throw new WorkerPoolError(`WorkerPool: a worker did not start within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /**
   * Run `kind` on every payload, spread over the workers and this thread;
   * returns the results in payload order. Throws a WorkerPoolError (and closes
   * the pool) when a task fails on a worker or a worker never answers; a task
   * that throws here closes the pool and rethrows.
   */
  run<P, R>(kind: TaskKind<P, R>, payloads: readonly P[], options: RunOptions = {}): R[] {
    if (this.closed) throw new WorkerPoolError('WorkerPool: the pool is closed');
    const count = payloads.length;
    if (count === 0) return [];
    const { results, offsets, lengths } = resultBlock(kind, payloads);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    let reported = 0;
    const report = (upTo: number) => {
      for (; reported <= upTo && reported < count; reported++) options.onStart?.(reported);
    };
    const bytes = new Uint8Array(results);
    try {
      for (const slot of this.slots) {
        Atomics.store(slot.state, 0, SlotState.Busy);
        slot.port.postMessage({ type: 'run', task: kind.name, payloads, offsets, lengths, results: results as SharedArrayBuffer, counter: counter.buffer as SharedArrayBuffer });
      }
      for (;;) {
        const i = Atomics.add(counter, 0, 1);
        if (i >= count) break;
        report(i);
        const out = bytes.subarray(offsets[i]!, offsets[i]! + lengths[i]!);
        if (options.local) options.local(i, out);
        else kind.run(payloads[i]!, out);
      }
      report(count - 1);
      for (const slot of this.slots) this.await(slot, kind.name);
    } catch (e) {
      this.close();
      throw e;
    }
    return payloads.map((p, i) => kind.read(bytes.subarray(offsets[i]!, offsets[i]! + lengths[i]!), p));
  }

  /** Wait until the slot's worker has finished its share; throws if it failed or never answers. */
  private await(slot: Slot, task: string): void {
    const start = Date.now();
    // a worker that never answers (failed to start, crashed) must not hang the caller
    while (Atomics.wait(slot.state, 0, SlotState.Busy, 1000) === 'timed-out') {
      const waited = Date.now() - start;
      if (Atomics.load(slot.state, 1) === 0 && waited > START_MS) throw new WorkerPoolError(`WorkerPool: a worker did not start within ${START_MS / 1000} s`);
      if (waited > WAIT_MS) throw new WorkerPoolError(`WorkerPool: no answer from a worker in ${WAIT_MS / 1000} s (task "${task}")`);
    }
    const state = Atomics.load(slot.state, 0);
    if (state === SlotState.Failed) {
      const length = Atomics.load(slot.state, 2);
      const message = new TextDecoder().decode(new Uint8Array(slot.state.buffer, STATE_WORDS * 4, length).slice());
      throw new WorkerPoolError(`WorkerPool: a worker failed: ${message}`);
    }
    if (state !== SlotState.Done) throw new WorkerPoolError(`WorkerPool: unexpected worker state ${state} after task "${task}"`);
    Atomics.store(slot.state, 0, SlotState.Idle);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) s.port.terminate();
  }
}

/** One block for every task's result, 8-byte aligned offsets. */
function resultBlock<P>(kind: TaskKind<P, unknown>, payloads: readonly P[]): { results: ArrayBuffer | SharedArrayBuffer; offsets: number[]; lengths: number[] } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let total = 0;
  for (const p of payloads) {
    const len = kind.resultBytes(p);
    if (!Number.isInteger(len) || len < 0) throw new WorkerPoolError(`task "${kind.name}": expected a result size ≥ 0 bytes, got ${len}`);
    offsets.push(total);
    lengths.push(len);
    total += Math.ceil(len / 8) * 8;
  }
  return { results: sharedBuffer(total), offsets, lengths };
}

/**
 * Run `kind` on every payload on the pool when there is one, else here one
 * after another (same results: the same code writes the same bytes).
 */
export function runTasks<P, R>(pool: TaskRunner | undefined, kind: TaskKind<P, R>, payloads: readonly P[], options: RunOptions = {}): R[] {
  if (pool) return pool.run(kind, payloads, options);
  const { results, offsets, lengths } = resultBlock(kind, payloads);
  const bytes = new Uint8Array(results);
  return payloads.map((p, i) => {
    options.onStart?.(i);
    const out = bytes.subarray(offsets[i]!, offsets[i]! + lengths[i]!);
    if (options.local) options.local(i, out);
    else kind.run(p, out);
    return kind.read(out, p);
  });
}
