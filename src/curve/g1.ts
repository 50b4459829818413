/**
 * G1 of BN254: the points of y² = x³ + 3 over Fq, a group of prime order r
 * (cofactor 1), generator (1, 2).
 *
 * Two faces, like the fields:
 *   - bigint points (`G1Affine`: canonical affine coordinates, `null` for the
 *     point at infinity) with slow, simple reference arithmetic (`g1Add`,
 *     `g1Double`, `g1Mul`, …) — the oracle for the kernels and the form that
 *     leaves the library (commitments, proofs);
 *   - packed points (`G1AffineVec`: n affine points as 2n packed Fq elements,
 *     x then y, in WebAssembly memory) with kernels from g1-kernels.ts: batch
 *     affine addition with one shared inversion, XYZZ accumulation, validity
 *     checks. The point at infinity is stored as the sentinel (0, 0), which is
 *     not on the curve (it is also the encoding of .ptau and halo2 files).
 */
import {
  ELEMENT_BYTES,
  Fq,
  Fr,
  ShapeError,
  getRuntime,
  packedFq,
  type FieldRuntime,
  type FieldVec,
  type KernelExports,
  type PackedField,
  ZkTensorError,
} from '../field/index.js';
import { AFFINE_BYTES, SCRATCH_BYTES, XYZZ_BYTES, batchPairsBytes, batchWorkBytes, buildG1Module } from './g1-kernels.js';

/** An affine G1 point with canonical coordinates, or null for the point at infinity. */
export type G1Affine = { readonly x: bigint; readonly y: bigint } | null;

/** A G1 point in XYZZ coordinates, (X/ZZ, Y/ZZZ) with ZZ³ = ZZZ²; ZZ = 0 is infinity. */
export interface G1Xyzz {
  readonly X: bigint;
  readonly Y: bigint;
  readonly ZZ: bigint;
  readonly ZZZ: bigint;
}

/** The curve coefficient b of y² = x³ + b. */
export const G1_B = 3n;
/** The standard generator (EIP-196, snarkjs, arkworks, halo2curves). */
export const G1_GENERATOR: G1Affine = { x: 1n, y: 2n };
export { AFFINE_BYTES, XYZZ_BYTES };

/** A point that is not on the curve, or coordinates that are not canonical. */
export class CurveError extends ZkTensorError {
  override readonly name = 'CurveError';
}

// ---------------------------------------------------------------- bigint reference

export function g1IsOnCurve(p: G1Affine): boolean {
  if (p === null) return true;
  return Fq.isValid(p.x) && Fq.isValid(p.y) && Fq.square(p.y) === Fq.add(Fq.mul(Fq.square(p.x), p.x), G1_B);
}

export function g1Equal(a: G1Affine, b: G1Affine): boolean {
  if (a === null || b === null) return a === b;
  return a.x === b.x && a.y === b.y;
}

export function g1Neg(p: G1Affine): G1Affine {
  return p === null ? null : { x: p.x, y: Fq.neg(p.y) };
}

/** Affine doubling: λ = 3x²/2y, x₃ = λ² − 2x, y₃ = λ(x − x₃) − y. */
export function g1Double(p: G1Affine): G1Affine {
  if (p === null) return null;
  const lambda = Fq.div(Fq.mul(3n, Fq.square(p.x)), Fq.add(p.y, p.y));
  const x = Fq.sub(Fq.square(lambda), Fq.add(p.x, p.x));
  return { x, y: Fq.sub(Fq.mul(lambda, Fq.sub(p.x, x)), p.y) };
}

/** Affine addition with every special case (infinity, P + P, P − P). */
export function g1Add(a: G1Affine, b: G1Affine): G1Affine {
  if (a === null) return b;
  if (b === null) return a;
  if (a.x === b.x) return a.y === b.y ? g1Double(a) : null;
  const lambda = Fq.div(Fq.sub(b.y, a.y), Fq.sub(b.x, a.x));
  const x = Fq.sub(Fq.sub(Fq.square(lambda), a.x), b.x);
  return { x, y: Fq.sub(Fq.mul(lambda, Fq.sub(a.x, x)), a.y) };
}

/** [k]P for any integer k (reduced mod r), by double-and-add in Jacobian coordinates. */
export function g1Mul(p: G1Affine, k: bigint): G1Affine {
  const e = Fr.create(k);
  if (p === null || e === 0n) return null;
  // Jacobian (X, Y, Z) ↦ (X/Z², Y/Z³); Z = 0 is infinity
  let acc: [bigint, bigint, bigint] = [1n, 1n, 0n];
  const bits = e.toString(2);
  for (const bit of bits) {
    acc = jacobianDouble(acc);
    if (bit === '1') acc = jacobianAddAffine(acc, p);
  }
  const [X, Y, Z] = acc;
  if (Z === 0n) return null;
  const zi = Fq.inv(Z);
  const zi2 = Fq.square(zi);
  return { x: Fq.mul(X, zi2), y: Fq.mul(Y, Fq.mul(zi2, zi)) };
}

/** dbl-2009-l (a = 0). */
function jacobianDouble([X, Y, Z]: [bigint, bigint, bigint]): [bigint, bigint, bigint] {
  if (Z === 0n) return [X, Y, Z];
  const A = Fq.square(X);
  const B = Fq.square(Y);
  const C = Fq.square(B);
  const D = Fq.mul(2n, Fq.sub(Fq.sub(Fq.square(Fq.add(X, B)), A), C));
  const E = Fq.mul(3n, A);
  const X3 = Fq.sub(Fq.square(E), Fq.add(D, D));
  return [X3, Fq.sub(Fq.mul(E, Fq.sub(D, X3)), Fq.mul(8n, C)), Fq.mul(2n, Fq.mul(Y, Z))];
}

function jacobianAddAffine(a: [bigint, bigint, bigint], p: { x: bigint; y: bigint }): [bigint, bigint, bigint] {
  const [X, Y, Z] = a;
  if (Z === 0n) return [p.x, p.y, 1n];
  const Z2 = Fq.square(Z);
  const H = Fq.sub(Fq.mul(p.x, Z2), X);
  const R = Fq.sub(Fq.mul(p.y, Fq.mul(Z2, Z)), Y);
  if (H === 0n) return R === 0n ? jacobianDouble(a) : [1n, 1n, 0n];
  const H2 = Fq.square(H);
  const H3 = Fq.mul(H2, H);
  const V = Fq.mul(X, H2);
  const X3 = Fq.sub(Fq.sub(Fq.square(R), H3), Fq.add(V, V));
  return [X3, Fq.sub(Fq.mul(R, Fq.sub(V, X3)), Fq.mul(Y, H3)), Fq.mul(Z, H)];
}

/** XYZZ coordinates of an affine point, scaled by z ≠ 0: (x·z², y·z³, z², z³). */
export function toXyzz(p: G1Affine, z = 1n): G1Xyzz {
  if (p === null) return { X: 1n, Y: 1n, ZZ: 0n, ZZZ: 0n };
  const zz = Fq.square(Fq.create(z));
  if (zz === 0n) throw new RangeError('toXyzz: expected z ≠ 0');
  const zzz = Fq.mul(zz, Fq.create(z));
  return { X: Fq.mul(p.x, zz), Y: Fq.mul(p.y, zzz), ZZ: zz, ZZZ: zzz };
}

export function xyzzToAffine(p: G1Xyzz): G1Affine {
  if (p.ZZ === 0n) return null;
  return { x: Fq.div(p.X, p.ZZ), y: Fq.div(p.Y, p.ZZZ) };
}

// ---------------------------------------------------------------- packed points

/** n affine points in WebAssembly memory: 2n packed Fq elements (x₀, y₀, x₁, y₁, …). */
export class G1AffineVec {
  constructor(
    readonly group: PackedG1,
    /** The coordinates: element 2i is x_i, element 2i + 1 is y_i. */
    readonly coords: FieldVec,
  ) {}

  get length(): number {
    return this.coords.length >> 1;
  }
  get ptr(): number {
    return this.coords.ptr;
  }
  /** Byte offset of point i. */
  at(i: number): number {
    return this.coords.ptr + i * AFFINE_BYTES;
  }
  get(i: number): G1Affine {
    this.checkIndex(i, 'get');
    const x = this.coords.get(2 * i);
    const y = this.coords.get(2 * i + 1);
    return x === 0n && y === 0n ? null : { x, y };
  }
  /** Write one point (checked to be on the curve). */
  set(i: number, p: G1Affine): void {
    this.checkIndex(i, 'set');
    if (!g1IsOnCurve(p)) throw new CurveError(`G1AffineVec.set: expected a point on the curve, got ${describe(p)}`);
    this.coords.set(2 * i, p?.x ?? 0n);
    this.coords.set(2 * i + 1, p?.y ?? 0n);
  }
  /** A view of points [start, start + length). */
  slice(start: number, length = this.length - start): G1AffineVec {
    return new G1AffineVec(this.group, this.coords.slice(2 * start, 2 * length));
  }
  toAffine(): G1Affine[] {
    return this.group.toAffine(this);
  }
  clone(): G1AffineVec {
    return new G1AffineVec(this.group, this.coords.clone());
  }
  free(): void {
    this.coords.free();
  }
  private checkIndex(i: number, where: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`G1AffineVec.${where}: expected an index in [0, ${this.length}), got ${i}`);
    }
  }
}

function describe(p: G1Affine): string {
  return p === null ? 'infinity' : `(${p.x}, ${p.y})`;
}

/** G1 kernels bound to one field runtime; get it with `packedG1()`. */
export class PackedG1 {
  readonly runtime: FieldRuntime;
  readonly fq: PackedField;
  /** The raw kernels (see g1-kernels.ts) — for msm.ts and tests. */
  readonly kernels: KernelExports;
  /** SCRATCH_BYTES of kernel scratch, then four 144-byte point slots. */
  readonly scratch: number;
  private readonly io: number;

  constructor(runtime: FieldRuntime = getRuntime()) {
    this.runtime = runtime;
    this.fq = packedFq(runtime);
    this.kernels = runtime.instantiate(buildG1Module(runtime.fields.fq.params, runtime.simd !== null));
    this.scratch = runtime.arena.alloc(SCRATCH_BYTES + 4 * XYZZ_BYTES);
    this.io = this.scratch + SCRATCH_BYTES;
  }

  /** n points, all at infinity. */
  alloc(n: number): G1AffineVec {
    return new G1AffineVec(this, this.fq.alloc(2 * n));
  }

  /** Pack bigint points; every point is checked to be on the curve first. */
  fromAffine(points: readonly G1Affine[]): G1AffineVec {
    const coords = new Array<bigint>(2 * points.length);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      if (p !== null && (typeof p !== 'object' || !g1IsOnCurve(p))) {
        throw new CurveError(`PackedG1.fromAffine: expected points on the curve, point ${i} is not: ${describe(p)}`);
      }
      coords[2 * i] = p?.x ?? 0n;
      coords[2 * i + 1] = p?.y ?? 0n;
    }
    return new G1AffineVec(this, this.fq.fromBigints(coords));
  }

  toAffine(v: G1AffineVec): G1Affine[] {
    const c = v.coords.toBigints();
    const out = new Array<G1Affine>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = c[2 * i]!;
      const y = c[2 * i + 1]!;
      out[i] = x === 0n && y === 0n ? null : { x, y };
    }
    return out;
  }

  /**
   * [1]B, [2]B, …, [n]B: cheap distinct points for tests and benchmarks (log n
   * batch additions: the second half of each prefix is the first plus [len]B).
   */
  multiples(base: G1Affine, n: number): G1AffineVec {
    const v = this.alloc(n);
    if (n === 0) return v;
    v.set(0, base);
    for (let len = 1; len < n; len *= 2) {
      const k = Math.min(len, n - len);
      const dst = v.slice(len, k);
      dst.set(0, g1Mul(base, BigInt(len)));
      const u8 = new Uint8Array(this.runtime.buffer);
      for (let i = 1; i < k; i++) u8.copyWithin(dst.at(i), dst.at(0), dst.at(0) + AFFINE_BYTES);
      this.addBatch(dst, v.slice(0, k), dst);
    }
    return v;
  }

  /** Index of the first point not on the curve, or −1 (infinity counts as valid; cofactor 1, so on-curve means in G1). */
  findInvalid(v: G1AffineVec): number {
    return this.kernels.g1_check!(v.ptr, v.length, this.scratch);
  }

  assertValid(v: G1AffineVec, where = 'PackedG1.assertValid'): void {
    const i = this.findInvalid(v);
    if (i >= 0) throw new CurveError(`${where}: expected points on the curve, point ${i} is not: ${describe(v.get(i))}`);
  }

  /**
   * out_i = a_i + b_i for every i with one shared field inversion (batch-affine
   * addition; P + P, P − P and infinity handled). `out` may be `a` or `b`, or
   * disjoint from both.
   */
  addBatch(out: G1AffineVec, a: G1AffineVec, b: G1AffineVec): void {
    const n = out.length;
    if (a.length !== n || b.length !== n) throw new ShapeError(`PackedG1.addBatch: expected equal lengths, got ${n}, ${a.length} and ${b.length}`);
    if (n === 0) return;
    if (out.ptr === b.ptr) [a, b] = [b, a];
    if (out.ptr !== a.ptr) out.coords.copyFrom(a.coords);
    const arena = this.runtime.arena;
    const pairs = arena.alloc(batchPairsBytes(n));
    const work = arena.alloc(batchWorkBytes(n));
    try {
      const w = new Int32Array(this.runtime.buffer, pairs, 2 * n);
      for (let i = 0; i < n; i++) {
        w[2 * i] = out.at(i);
        w[2 * i + 1] = b.at(i);
      }
      this.kernels.g1_batch_add!(pairs, n, this.scratch, work);
    } finally {
      arena.release(work);
      arena.release(pairs);
    }
  }

  // ---- single points through the XYZZ kernels (tests, small jobs)

  xyzzAdd(a: G1Xyzz, b: G1Xyzz): G1Xyzz {
    this.writeXyzz(0, a);
    this.writeXyzz(1, b);
    this.kernels.xyzz_add!(this.slot(2), this.slot(0), this.slot(1), this.scratch);
    return this.readXyzz(2);
  }
  xyzzAddMixed(a: G1Xyzz, b: G1Affine): G1Xyzz {
    this.writeXyzz(0, a);
    this.writeAffine(1, b);
    this.kernels.xyzz_madd!(this.slot(2), this.slot(0), this.slot(1), this.scratch);
    return this.readXyzz(2);
  }
  xyzzDouble(a: G1Xyzz): G1Xyzz {
    this.writeXyzz(0, a);
    this.kernels.xyzz_dbl!(this.slot(2), this.slot(0), this.scratch);
    return this.readXyzz(2);
  }
  /** [2]P of an affine point, in XYZZ. */
  xyzzDoubleAffine(p: G1Affine): G1Xyzz {
    this.writeAffine(0, p);
    this.kernels.xyzz_mdbl!(this.slot(2), this.slot(0), this.scratch);
    return this.readXyzz(2);
  }
  /** XYZZ → affine through the kernel (one inversion). */
  xyzzNormalize(a: G1Xyzz): G1Affine {
    this.writeXyzz(0, a);
    this.kernels.xyzz_to_affine!(this.slot(2), this.slot(0), this.scratch);
    return this.readAffine(2);
  }

  /** Read the affine point at byte offset ptr (sentinel → null). */
  readAffineAt(ptr: number): G1Affine {
    const x = this.fq.readElement(ptr);
    const y = this.fq.readElement(ptr + ELEMENT_BYTES);
    return x === 0n && y === 0n ? null : { x, y };
  }

  private slot(k: number): number {
    return this.io + k * XYZZ_BYTES;
  }
  private writeXyzz(k: number, p: G1Xyzz): void {
    const at = this.slot(k);
    [p.X, p.Y, p.ZZ, p.ZZZ].forEach((c, j) => this.fq.writeElement(at + ELEMENT_BYTES * j, c));
  }
  private readXyzz(k: number): G1Xyzz {
    const at = this.slot(k);
    const [X, Y, ZZ, ZZZ] = [0, 1, 2, 3].map((j) => this.fq.readElement(at + ELEMENT_BYTES * j)) as [bigint, bigint, bigint, bigint];
    return { X, Y, ZZ, ZZZ };
  }
  private writeAffine(k: number, p: G1Affine): void {
    const at = this.slot(k);
    this.fq.writeElement(at, p?.x ?? 0n);
    this.fq.writeElement(at + ELEMENT_BYTES, p?.y ?? 0n);
  }
  private readAffine(k: number): G1Affine {
    return this.readAffineAt(this.slot(k));
  }
}

const groups = new WeakMap<FieldRuntime, PackedG1>();

/** The G1 kernels of a runtime (the default one unless given), built once per runtime. */
export function packedG1(runtime: FieldRuntime = getRuntime()): PackedG1 {
  let g = groups.get(runtime);
  if (!g) {
    g = new PackedG1(runtime);
    groups.set(runtime, g);
  }
  return g;
}
