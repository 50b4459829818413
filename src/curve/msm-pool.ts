/**
 * MSMs as a task kind of the worker pool (worker-pool.ts): `msmMany` spreads
 * a batch of Σ sᵢ·Bᵢ over the workers and this thread; results are identical
 * to `msm` here (the same code runs in the worker; tests check it).
 *
 * A base set (the SRS points, monomial or Lagrange) is copied once into
 * shared memory; each worker loads it into its own wasm memory on first use
 * and keeps it by id. Scalars travel as packed Fr bytes in shared memory, the
 * point comes back in 72 bytes: an infinity flag word, then x and y as 32
 * little-endian bytes each.
 */
import { packedFr, type FieldVec } from '../field/index.js';
import { G1AffineVec, packedG1, type G1Affine, type PackedG1 } from './g1.js';
import { msm } from './msm.js';
import { defineTask } from './tasks.js';
import { runTasks, type TaskRunner } from './worker-pool.js';

export interface MsmPayload {
  /** Names the base set: a worker loads `bases` once per id. */
  readonly id: string;
  /** The base points' packed coordinates (shared memory). */
  readonly bases: Uint8Array;
  readonly points: number;
  /** Packed Fr scalars (shared memory). */
  readonly scalars: Uint8Array;
  readonly length: number;
}

const POINT_RESULT_BYTES = 8 + 64;

function writePoint(p: G1Affine, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, p === null ? 1 : 0, true);
  if (p === null) return;
  for (const [at, v] of [[8, p.x], [40, p.y]] as const) {
    let x = v;
    for (let i = 0; i < 32; i++, x >>= 8n) out[at + i] = Number(x & 0xffn);
  }
}

function readPoint(out: Uint8Array): G1Affine {
  if (new DataView(out.buffer, out.byteOffset, out.byteLength).getUint32(0, true) === 1) return null;
  const word = (at: number) => {
    let v = 0n;
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(out[at + i]!);
    return v;
  };
  return { x: word(8), y: word(40) };
}

// a worker's base sets, loaded on first use (this thread never runs msmTask: msmMany computes from the vectors it holds)
let workerG1: PackedG1 | undefined;
const workerBases = new Map<string, G1AffineVec>();

export const msmTask = defineTask<MsmPayload, G1Affine>('msm', {
  resultBytes: () => POINT_RESULT_BYTES,
  run(p, out) {
    const F = packedFr();
    workerG1 ??= packedG1(F.runtime);
    let bases = workerBases.get(p.id);
    if (!bases || bases.length !== p.points) {
      bases?.coords.free();
      const coords = workerG1.fq.alloc(2 * p.points);
      coords.raw().set(p.bases);
      bases = new G1AffineVec(workerG1, coords);
      workerBases.set(p.id, bases);
    }
    const s = F.alloc(p.length);
    try {
      s.raw().set(p.scalars);
      writePoint(msm(bases, s), out);
    } finally {
      s.free();
    }
  },
  read: readPoint,
});

/** Shared copies of base sets already handed to workers. */
const sharedBases = new WeakMap<G1AffineVec, Uint8Array>();

function sharedCopy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
}

/**
 * Σ sᵢ·Bᵢ for every scalar vector, in order, spread over the pool's workers
 * and this thread (here when there is no pool). Scalars are copied to shared
 * memory a batch at a time, so a long list does not double its memory at once.
 */
export function msmMany(pool: TaskRunner | undefined, id: string, bases: G1AffineVec, scalars: readonly FieldVec[]): G1Affine[] {
  if (!pool || typeof SharedArrayBuffer === 'undefined') return scalars.map((s) => msm(bases, s));
  let shared = sharedBases.get(bases);
  if (!shared) {
    shared = sharedCopy(bases.coords.raw());
    sharedBases.set(bases, shared);
  }
  const batch = 8 * (pool.size + 1);
  const out: G1Affine[] = [];
  for (let from = 0; from < scalars.length; from += batch) {
    const part = scalars.slice(from, from + batch);
    const payloads = part.map((s): MsmPayload => ({ id, bases: shared, points: bases.length, scalars: sharedCopy(s.raw()), length: s.length }));
    out.push(...runTasks(pool, msmTask, payloads, { local: (i, o) => writePoint(msm(bases, part[i]!), o) }));
  }
  return out;
}
