/**
 * Several MSMs at once on worker threads (Node's worker_threads): the main
 * thread keeps computing too, and the prover's API stays synchronous — the
 * main thread hands a job to an idle worker, computes the next one itself,
 * and waits on the worker's shared result word (Atomics.wait) only when it
 * has nothing left to do. Each worker has its own wasm runtime; a base set
 * (the SRS points, monomial or Lagrange) is copied to every worker once.
 *
 * Results are identical to `msm` on the main thread (the same code runs in
 * the worker); tests check it. Where worker threads or SharedArrayBuffer are
 * missing, `MsmPool.create` returns undefined and callers stay sequential.
 *
 * The same threads run other jobs too (`runTasks`): a task names a module
 * and one of its exported functions, which the worker imports and calls with
 * a structured-cloned payload; results travel back through shared memory the
 * payload carries (the prover's quotient parts, quotient.ts). Tasks sit in
 * one shared queue (an Atomics counter) that all threads drain, so a slow
 * worker never leaves another thread idle.
 */
import { createRequire } from 'node:module';
import type { FieldVec } from '../field/index.js';
import type { G1Affine, G1AffineVec } from './g1.js';
import { msm } from './msm.js';
import type { WorkerMessage } from './msm-worker.js';

/** A job for a worker: `fn` of the module at `module` (a URL), called with `payload`. */
export interface PoolTask {
  readonly module: string;
  readonly fn: string;
  readonly payload: unknown;
}

type WorkerLike = { postMessage(m: WorkerMessage, transfer?: ArrayBuffer[]): void; terminate(): Promise<number>; unref(): void };

interface Slot {
  readonly worker: WorkerLike;
  /** Set to 1 by the worker once its module has loaded. */
  readonly ready: Int32Array;
  readonly result: Int32Array;
  readonly sent: Set<string>;
  job: number;
}

const RESULT_WORDS = 18;
/** Longest wait for one worker job (an MSM of 2^20 points takes seconds). */
const WAIT_MS = 600_000;
/** Longest wait for a worker to load its module. */
const START_MS = 60_000;

function readWords(view: Int32Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 32n) | BigInt(view[at + i]! >>> 0);
  return v;
}

export class MsmPool {
  private readonly slots: Slot[];
  private closed = false;

  private constructor(workers: { worker: WorkerLike; ready: Int32Array }[]) {
    this.slots = workers.map(({ worker, ready }) => ({
      worker,
      ready,
      result: new Int32Array(new SharedArrayBuffer(RESULT_WORDS * 4)),
      sent: new Set<string>(),
      job: -1,
    }));
  }

  /** A pool of `workers` threads, or undefined where worker threads are unavailable. */
  static create(workers: number): MsmPool | undefined {
    if (!Number.isInteger(workers) || workers < 1 || typeof SharedArrayBuffer === 'undefined') return undefined;
    let Worker: new (url: URL, options: object) => WorkerLike;
    try {
      Worker = createRequire(import.meta.url)('node:worker_threads').Worker;
    } catch {
      return undefined;
    }
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './msm-worker.ts' : './msm-worker.js', import.meta.url);
    // from TypeScript sources (tests, tsx) the worker registers tsx's loader before importing its module
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
    const list: { worker: WorkerLike; ready: Int32Array }[] = [];
    for (let i = 0; i < workers; i++) {
      const ready = new Int32Array(new SharedArrayBuffer(4));
      const workerData = { ready: ready.buffer };
      const w = fromSource ? new Worker(boot as unknown as URL, { eval: true, workerData }) : new Worker(url, { workerData });
      w.unref();
      list.push({ worker: w, ready });
    }
    return new MsmPool(list);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Σ sᵢ·Bᵢ for every scalar vector, spread over the workers and this thread (in order). */
  msmMany(id: string, bases: G1AffineVec, scalars: readonly FieldVec[]): G1Affine[] {
    const out: G1Affine[] = new Array(scalars.length);
    this.schedule(
      scalars.length,
      (slot, i) => {
        if (!slot.sent.has(id)) {
          const c = bases.coords;
          slot.worker.postMessage({ kind: 'bases', id, bytes: c.raw().slice(), points: bases.length });
          slot.sent.add(id);
        }
        const bytes = scalars[i]!.raw().slice();
        slot.worker.postMessage({ kind: 'job', id, scalars: bytes, length: scalars[i]!.length, result: slot.result.buffer as SharedArrayBuffer }, [bytes.buffer]);
      },
      (i) => {
        out[i] = msm(bases, scalars[i]!);
      },
      (slot, i) => {
        out[i] = slot.result[1] === 1 ? null : { x: readWords(slot.result, 2), y: readWords(slot.result, 10) };
      },
    );
    return out;
  }

  /**
   * Run jobs 0..count−1 from one shared queue: every worker and this thread
   * take the next unclaimed job until none is left (`remote(i)`: the task a
   * worker imports and calls; `local(i)`: the same job here), so no thread
   * idles while jobs remain. Returns when all are done. `start(i)` is called
   * once per job, in order, as this thread sees it claimed. Results travel
   * through shared memory the jobs write: both paths must write the same
   * bytes.
   */
  runTasks(count: number, remote: (i: number) => PoolTask, local: (i: number) => void, start?: (i: number) => void): void {
    if (this.closed) throw new Error('MsmPool: the pool is closed');
    if (count <= 0) return;
    const tasks = Array.from({ length: count }, (_, i) => remote(i));
    const counter = new Int32Array(new SharedArrayBuffer(4));
    let reported = 0;
    const report = (upTo: number) => {
      for (; reported <= upTo && reported < count; reported++) start?.(reported);
    };
    try {
      for (const slot of this.slots) {
        slot.job = count;
        Atomics.store(slot.result, 0, 1);
        slot.worker.postMessage({ kind: 'tasks', tasks, counter: counter.buffer as SharedArrayBuffer, result: slot.result.buffer as SharedArrayBuffer });
      }
      for (;;) {
        const i = Atomics.add(counter, 0, 1);
        if (i >= count) break;
        report(i);
        local(i);
      }
      report(count - 1);
      for (const slot of this.slots) {
        this.await(slot, 'a task of the queue');
        slot.job = -1;
        Atomics.store(slot.result, 0, 0);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Wait until the slot's worker has finished its job; throws if it failed or never answers. */
  private await(slot: Slot, what = `job ${slot.job}`): void {
    if (Atomics.load(slot.result, 0) === 1) {
      // a worker that never answers (failed to start, crashed) must not hang the prover
      const start = Date.now();
      while (Atomics.wait(slot.result, 0, 1, 1000) === 'timed-out') {
        const waited = Date.now() - start;
        if (Atomics.load(slot.ready, 0) === 0 && waited > START_MS) throw new Error(`MsmPool: a worker did not start within ${START_MS / 1000} s`);
        if (waited > WAIT_MS) throw new Error(`MsmPool: no answer from a worker in ${WAIT_MS / 1000} s (${what})`);
      }
    }
    if (Atomics.load(slot.result, 0) !== 2) throw new Error(`MsmPool: worker failed on ${what} (see its stderr)`);
  }

  /** Hand jobs to idle workers, run the next one here meanwhile, then wait for the workers. */
  private schedule(count: number, send: (slot: Slot, i: number) => void, local: (i: number) => void, done: (slot: Slot, i: number) => void): void {
    if (this.closed) throw new Error('MsmPool: the pool is closed');
    let next = 0;
    const collect = (slot: Slot, wait: boolean): boolean => {
      if (slot.job < 0) return true;
      if (!wait && Atomics.load(slot.result, 0) === 1) return false;
      this.await(slot);
      done(slot, slot.job);
      slot.job = -1;
      Atomics.store(slot.result, 0, 0);
      return true;
    };
    try {
      while (next < count) {
        for (const slot of this.slots) {
          if (next < count && collect(slot, false)) {
            slot.job = next++;
            Atomics.store(slot.result, 0, 1);
            send(slot, slot.job);
          }
        }
        if (next >= count) break;
        local(next++);
      }
      for (const slot of this.slots) collect(slot, true);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) void s.worker.terminate();
  }
}
