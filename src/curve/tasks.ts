/**
 * Typed task kinds for the worker pool (worker-pool.ts). A kind has a name
 * (how a worker finds it), a typed payload P (structured-clonable: numbers,
 * bigints, plain objects, typed arrays — shared memory travels without a
 * copy) and a typed result R. Results do not travel by message — the pool's
 * caller is blocked in Atomics.wait and could not receive one — but through
 * shared memory: a task writes its result into the `out` bytes the pool gives
 * it (`resultBytes(payload)` of them) and `read` turns those bytes into R, on
 * whichever thread ran it, so a result is the same wherever it was computed.
 *
 * A worker program (src/worker.ts, or a test's) lists the kinds it serves and
 * calls `serveTasks`; nothing is loaded by URL at run time.
 */
import { ZkTensorError } from '../field/errors.js';

export class WorkerPoolError extends ZkTensorError {
  override readonly name = 'WorkerPoolError';
}

export interface TaskKind<P, R> {
  readonly name: string;
  /** Bytes of `out` the task writes its result into. */
  resultBytes(payload: P): number;
  /** Run the task, writing its result into `out`. */
  run(payload: P, out: Uint8Array): void;
  /** The result from the bytes `run` wrote (may view `out` without a copy). */
  read(out: Uint8Array, payload: P): R;
}

export interface TaskSpec<P, R> {
  readonly run: (payload: P, out: Uint8Array) => void;
  /** Default 0: the task's effect is in shared memory its payload carries. */
  readonly resultBytes?: (payload: P) => number;
  /** Default: undefined (for R = void). */
  readonly read?: (out: Uint8Array, payload: P) => R;
}

/** A task kind named `name` (unique among the kinds a worker program serves). */
export function defineTask<P, R = void>(name: string, spec: TaskSpec<P, R>): TaskKind<P, R> {
  if (!/^[\w.:-]+$/.test(name)) throw new WorkerPoolError(`defineTask: expected a name of letters, digits, '_', '.', ':' or '-', got "${name}"`);
  return Object.freeze({
    name,
    resultBytes: spec.resultBytes ?? (() => 0),
    run: spec.run,
    read: spec.read ?? (() => undefined as R),
  });
}

/**
 * The state block of one worker (Int32Array over shared memory): [0] state
 * (0 idle, 1 busy, 2 done, 3 failed), [1] ready (1 once the worker program
 * runs), [2] length of the failure message, then its UTF-8 bytes.
 */
export const STATE_WORDS = 3;
export const MESSAGE_BYTES = 2048;
export const enum SlotState {
  Idle = 0,
  Busy = 1,
  Done = 2,
  Failed = 3,
}

/** What the pool posts to a worker. */
export type PoolMessage =
  | { readonly type: 'init'; readonly state: SharedArrayBuffer }
  | {
      readonly type: 'run';
      readonly task: string;
      readonly payloads: readonly unknown[];
      /** Byte offset and length of each task's result in `results`. */
      readonly offsets: readonly number[];
      readonly lengths: readonly number[];
      readonly results: SharedArrayBuffer;
      /** The shared queue: the next unclaimed task index. */
      readonly counter: SharedArrayBuffer;
    };

/** Where the worker program receives messages: Node's parentPort, or the Web Worker scope. */
interface Inbox {
  on(handler: (m: PoolMessage) => void): void;
}

function inbox(): Inbox {
  const wt = globalThis.process?.getBuiltinModule?.('node:worker_threads');
  const port = wt?.parentPort;
  if (port) return { on: (h) => port.on('message', h) };
  const scope = globalThis as unknown as { addEventListener?: (type: 'message', h: (e: { data: PoolMessage }) => void) => void };
  if (typeof scope.addEventListener !== 'function') throw new WorkerPoolError('serveTasks: not running in a worker (no parentPort, no message events)');
  return { on: (h) => scope.addEventListener!('message', (e) => h(e.data)) };
}

/**
 * The worker program's loop: serve `kinds` (by name) to the pool. Each
 * `run` message shares a queue with every other thread: the worker claims
 * task after task from the counter until none is left, then reports done —
 * or failed, with the error's message, which the pool rethrows.
 */
export function serveTasks(kinds: readonly TaskKind<never, unknown>[]): void {
  const registry = new Map<string, TaskKind<never, unknown>>();
  for (const k of kinds) {
    if (registry.has(k.name)) throw new WorkerPoolError(`serveTasks: two task kinds are named "${k.name}"`);
    registry.set(k.name, k);
  }
  let state: Int32Array | undefined;
  const collect = garbageCollector(); // in the serving thread only: the library's own thread keeps V8's flags as they are
  inbox().on((m) => {
    if (m.type === 'init') {
      state = new Int32Array(m.state);
      Atomics.store(state, 1, 1);
      Atomics.notify(state, 1);
      return;
    }
    if (!state) throw new WorkerPoolError('serveTasks: a run before init');
    const s = state;
    let current = -1;
    let outcome = SlotState.Done;
    try {
      const kind = registry.get(m.task);
      if (!kind) throw new WorkerPoolError(`this worker program serves no task "${m.task}" (it serves ${[...registry.keys()].join(', ') || 'none'})`);
      const counter = new Int32Array(m.counter);
      const results = new Uint8Array(m.results);
      for (;;) {
        current = Atomics.add(counter, 0, 1);
        if (current >= m.payloads.length) break;
        const at = m.offsets[current]!;
        (kind.run as (p: unknown, out: Uint8Array) => void)(m.payloads[current], results.subarray(at, at + m.lengths[current]!));
      }
    } catch (e) {
      outcome = SlotState.Failed;
      const text = `task "${m.task}" #${current}: ${e instanceof Error ? e.message : String(e)}`;
      const bytes = new TextEncoder().encode(text).subarray(0, MESSAGE_BYTES);
      new Uint8Array(s.buffer, STATE_WORDS * 4, MESSAGE_BYTES).set(bytes);
      Atomics.store(s, 2, bytes.length);
      console.error(`zktensor worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    Atomics.store(s, 0, outcome);
    Atomics.notify(s, 0);
    // the run's payloads are views of shared memory: their backing stores live as long as this
    // thread's copies of the message do, and this thread's small heap seldom collects on its own
    collect?.();
  });
}

/**
 * A full collection in this thread, where the platform offers one (Node:
 * V8's gc, enabled at run time), else undefined. Served runs drop
 * references to gigabytes of shared columns that a worker's tiny heap
 * would otherwise keep alive for many proofs.
 */
function garbageCollector(): (() => void) | undefined {
  const proc = globalThis.process as { getBuiltinModule?: (name: string) => unknown } | undefined;
  const v8 = proc?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  const vm = proc?.getBuiltinModule?.('node:vm') as { runInNewContext(code: string): unknown } | undefined;
  if (!v8 || !vm) return undefined;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
