/**
 * The MSM worker (msm-pool.ts): its own wasm runtime, the pool's base point
 * sets (raw packed bytes, sent once each), and one job at a time — scalars
 * as raw packed Fr bytes — whose result it writes into the shared result
 * block and signals with Atomics (the main thread waits synchronously).
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

export type WorkerMessage =
  | { readonly kind: 'bases'; readonly id: string; readonly bytes: Uint8Array; readonly points: number }
  | { readonly kind: 'job'; readonly id: string; readonly scalars: Uint8Array; readonly length: number; readonly result: SharedArrayBuffer };

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
    new Uint8Array(F.runtime.buffer, coords.ptr, coords.byteLength).set(m.bytes);
    bases.get(m.id)?.coords.free();
    bases.set(m.id, new G1AffineVec(G, coords));
    return;
  }
  const view = new Int32Array(m.result);
  try {
    const b = bases.get(m.id);
    if (!b) throw new Error(`msm worker: unknown base set "${m.id}"`);
    const s = F.alloc(m.length);
    new Uint8Array(F.runtime.buffer, s.ptr, s.byteLength).set(m.scalars);
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
