/**
 * The MSM worker (msm-pool.ts): its own wasm runtime, the pool's base point
 * sets (raw packed bytes, sent once each), and one job at a time — scalars
 * as raw packed Fr bytes — whose result it writes into the shared result
 * block and signals with Atomics (the main thread waits synchronously).
 *
 * Tasks (`MsmPool.runTasks`): the worker imports the tasks' modules, then
 * claims task after task from the shared counter until none is left, calls
 * each one's named export with its payload (results go to shared memory
 * the payload carries) and signals done (or failed) once.
 *
 * Result block (Int32Array over a SharedArrayBuffer): [0] state (0 idle,
 * 1 busy, 2 done, 3 failed), [1] infinity flag, then x and y as 8 little-
 * endian u32 words each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packedFr } from '../field/index.js';
import { G1AffineVec } from './g1.js';
import { packedG1 } from './g1.js';
import { msm } from './msm.js';
import type { PoolTask } from './msm-pool.js';

export type WorkerMessage =
  | { readonly kind: 'bases'; readonly id: string; readonly bytes: Uint8Array; readonly points: number }
  | { readonly kind: 'job'; readonly id: string; readonly scalars: Uint8Array; readonly length: number; readonly result: SharedArrayBuffer }
  | { readonly kind: 'tasks'; readonly tasks: readonly PoolTask[]; readonly counter: SharedArrayBuffer; readonly result: SharedArrayBuffer };

const F = packedFr();
if (workerData?.ready instanceof SharedArrayBuffer) Atomics.store(new Int32Array(workerData.ready), 0, 1);
const G = packedG1(F.runtime);
const bases = new Map<string, G1AffineVec>();

function writeWords(view: Int32Array, at: number, v: bigint): void {
  for (let i = 0; i < 8; i++) view[at + i] = Number((v >> BigInt(32 * i)) & 0xffffffffn) | 0;
}

parentPort?.on('message', (m: WorkerMessage) => {
  if (m.kind === 'bases') {
    const coords = G.fq.alloc(2 * m.points);
    coords.raw().set(m.bytes);
    bases.get(m.id)?.coords.free();
    bases.set(m.id, new G1AffineVec(G, coords));
    return;
  }
  const view = new Int32Array(m.result);
  if (m.kind === 'tasks') {
    void runTasks(m, view);
    return;
  }
  try {
    const b = bases.get(m.id);
    if (!b) throw new Error(`msm worker: unknown base set "${m.id}"`);
    const s = F.alloc(m.length);
    s.raw().set(m.scalars);
    const p = msm(b, s);
    s.free();
    view[1] = p === null ? 1 : 0;
    if (p !== null) {
      writeWords(view, 2, p.x);
      writeWords(view, 10, p.y);
    }
    Atomics.store(view, 0, 2);
  } catch (e) {
    process.stderr.write(`msm worker: ${(e as Error).message}\n`);
    Atomics.store(view, 0, 3);
  }
  Atomics.notify(view, 0);
});

/** Drain the shared task queue (see MsmPool.runTasks). */
async function runTasks(m: Extract<WorkerMessage, { kind: 'tasks' }>, view: Int32Array): Promise<void> {
  let state: 2 | 3 = 2;
  let current = -1;
  try {
    const modules = new Map<string, Record<string, unknown>>();
    for (const t of m.tasks) if (!modules.has(t.module)) modules.set(t.module, (await import(t.module)) as Record<string, unknown>);
    const counter = new Int32Array(m.counter);
    for (;;) {
      current = Atomics.add(counter, 0, 1);
      if (current >= m.tasks.length) break;
      const t = m.tasks[current]!;
      const f = modules.get(t.module)![t.fn];
      if (typeof f !== 'function') throw new Error(`${t.module} has no function "${t.fn}"`);
      await (f as (p: unknown) => unknown)(t.payload);
    }
  } catch (e) {
    process.stderr.write(`msm worker: task ${current}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    state = 3;
  }
  Atomics.store(view, 0, state);
  Atomics.notify(view, 0);
}
