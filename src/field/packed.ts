/**
 * The packed face of a prime field: `FieldVec`, n elements in Montgomery form
 * in WebAssembly memory (9 × 29-bit limbs, 36 bytes each), and `PackedField`,
 * whose methods run the generated kernels on them without allocating.
 *
 * Conventions: every operation writes into an `out` vector given first, which
 * may be one of the inputs (element-wise aliasing is safe); lengths must
 * match, or a `ShapeError` names both. Values inside vectors are kept in
 * [0, 2p); everything that leaves (get, toBigints, toBytes) is canonical.
 */
import { NonCanonicalError, ShapeError } from './errors.js';
import type { PrimeField } from './prime.js';
import { FieldRuntime, getRuntime, type FieldKernelSet, type KernelExports } from './runtime.js';
import { WORD_BYTES } from './wasm/codec-kernels.js';
import { ELEMENT_BYTES, LIMBS } from './wasm/montgomery.js';

export { ELEMENT_BYTES };

/** A view of `length` packed elements at byte offset `ptr` of a runtime's memory. */
export class FieldVec {
  private freed = false;

  constructor(
    readonly field: PackedField,
    readonly ptr: number,
    readonly length: number,
    /** True when this vector owns its block (false for `slice` views). */
    readonly owner: boolean,
  ) {}

  get byteLength(): number {
    return this.length * ELEMENT_BYTES;
  }
  /** Byte offset of element i. */
  at(i: number): number {
    return this.ptr + i * ELEMENT_BYTES;
  }
  get(i: number): bigint {
    this.checkIndex(i, 'get');
    return this.field.readElement(this.at(i));
  }
  set(i: number, v: bigint): void {
    this.checkIndex(i, 'set');
    this.field.writeElement(this.at(i), v);
  }
  /** A view of elements [start, start + length) sharing this vector's memory. */
  slice(start: number, length = this.length - start): FieldVec {
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > this.length) {
      throw new ShapeError(`FieldVec.slice: expected a range inside [0, ${this.length}), got start ${start} length ${length}`);
    }
    return new FieldVec(this.field, this.at(start), length, false);
  }
  /**
   * The packed limbs as a byte view onto the wasm memory (no copy; valid
   * until the memory grows, i.e. until the next allocation).
   */
  raw(): Uint8Array {
    return new Uint8Array(this.field.runtime.buffer, this.ptr, this.byteLength);
  }
  toBigints(): bigint[] {
    return this.field.toBigints(this);
  }
  toBytes(): Uint8Array {
    return this.field.toBytes(this);
  }
  /** A new owned copy. */
  clone(): FieldVec {
    const c = this.field.allocUninit(this.length);
    c.copyFrom(this);
    return c;
  }
  copyFrom(src: FieldVec): void {
    this.field.checkSame('copyFrom', this, src);
    const u8 = new Uint8Array(this.field.runtime.buffer);
    u8.copyWithin(this.ptr, src.ptr, src.ptr + src.byteLength);
  }
  fill(v: bigint): void {
    if (this.length === 0) return;
    this.set(0, v);
    const u8 = new Uint8Array(this.field.runtime.buffer);
    for (let i = 1; i < this.length; i++) u8.copyWithin(this.at(i), this.ptr, this.ptr + ELEMENT_BYTES);
  }
  /** Return the block to the arena. Views cannot be freed; freeing twice throws. */
  free(): void {
    if (!this.owner) throw new ShapeError('FieldVec.free: expected an owning vector, got a slice view');
    if (this.freed) throw new ShapeError('FieldVec.free: vector already freed');
    this.freed = true;
    this.field.runtime.arena.release(this.ptr);
  }
  private checkIndex(i: number, where: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`FieldVec.${where}: expected an index in [0, ${this.length}), got ${i}`);
    }
  }
}

export class PackedField {
  readonly runtime: FieldRuntime;
  private readonly k: KernelExports;
  private readonly simd: KernelExports | null;
  /** 256 bytes of per-field scratch; R² (Montgomery) lives in its first element. */
  private readonly scratch: number;
  private readonly r2: number;
  private readonly prefix: string;
  private readonly set: FieldKernelSet;

  constructor(
    readonly scalar: PrimeField,
    name: 'fr' | 'fq',
    runtime: FieldRuntime = getRuntime(),
    options: { simd?: boolean } = {},
  ) {
    this.runtime = runtime;
    this.set = runtime.fields[name];
    if (this.set.params.p !== scalar.p) throw new RangeError(`PackedField: ${scalar.name} does not match kernel set ${name}`);
    this.prefix = name;
    this.k = runtime.scalar;
    this.simd = options.simd === false ? null : runtime.simd;
    this.scratch = runtime.arena.alloc(8 * ELEMENT_BYTES);
    this.r2 = runtime.arena.alloc(ELEMENT_BYTES);
    this.writeLimbs(this.r2, this.set.params.R2);
  }

  /** Whether the multiplicative kernels run two elements per v128. */
  get usesSimd(): boolean {
    return this.simd !== null;
  }

  private fn(name: string): (...args: number[]) => number {
    return this.k[`${this.prefix}_${name}`]!;
  }

  // ---- allocation and I/O
  alloc(n: number): FieldVec {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${this.scalar.name}.alloc: expected a length ≥ 0, got ${n}`);
    return new FieldVec(this, this.runtime.arena.alloc(n * ELEMENT_BYTES), n, true);
  }
  /**
   * A vector whose contents are unspecified (not zeroed: cheaper for outputs
   * the caller overwrites entirely — copies, kernel results, loads).
   */
  allocUninit(n: number): FieldVec {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${this.scalar.name}.allocUninit: expected a length ≥ 0, got ${n}`);
    return new FieldVec(this, this.runtime.arena.alloc(n * ELEMENT_BYTES, false), n, true);
  }
  fromBigints(values: readonly bigint[]): FieldVec {
    const v = this.alloc(values.length);
    try {
      this.writeBigints(v, values);
    } catch (e) {
      v.free();
      throw e;
    }
    return v;
  }
  /** Write canonical values into v (all validated before anything is written). */
  writeBigints(v: FieldVec, values: readonly bigint[], offset = 0): void {
    if (offset < 0 || offset + values.length > v.length) {
      throw new ShapeError(`${this.scalar.name}.writeBigints: expected at most ${v.length - offset} values, got ${values.length}`);
    }
    const n = values.length;
    if (n === 0) return;
    const staging = this.runtime.arena.alloc(n * WORD_BYTES);
    try {
      const dv = new DataView(this.runtime.buffer);
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (typeof x !== 'bigint' || x < 0n || x >= this.scalar.p) {
          throw new NonCanonicalError(`${this.scalar.name}.writeBigints: expected bigints in [0, p), got ${String(x)} at index ${i}`);
        }
        const base = staging + i * WORD_BYTES;
        dv.setBigUint64(base, BigInt.asUintN(64, x), true);
        dv.setBigUint64(base + 8, BigInt.asUintN(64, x >> 64n), true);
        dv.setBigUint64(base + 16, BigInt.asUintN(64, x >> 128n), true);
        dv.setBigUint64(base + 24, x >> 192n, true);
      }
      this.fn('from_words')(v.at(offset), staging, n, this.r2);
    } finally {
      this.runtime.arena.release(staging);
    }
  }
  /**
   * Write signed integers with |x| < 2^53 (quantized weights, activations)
   * into v from `offset`: x ≥ 0 as x, x < 0 as p − |x|, computed on 32-bit
   * words with no bigint arithmetic (matrices of tens of millions of small
   * entries). A value out of range is a NonCanonicalError; nothing is
   * written then.
   */
  writeSigned(v: FieldVec, values: ArrayLike<bigint>, offset = 0): void {
    if (offset < 0 || offset + values.length > v.length) {
      throw new ShapeError(`${this.scalar.name}.writeSigned: expected at most ${v.length - offset} values, got ${values.length}`);
    }
    const n = values.length;
    if (n === 0) return;
    const P = (this.pWords ??= Uint32Array.from({ length: 8 }, (_, j) => Number((this.scalar.p >> BigInt(32 * j)) & 0xffffffffn)));
    const staging = this.runtime.arena.alloc(n * WORD_BYTES);
    try {
      const w = new Uint32Array(this.runtime.buffer, staging, n * 8);
      for (let i = 0; i < n; i++) {
        const x = Number(values[i]!);
        if (!(x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER)) {
          throw new NonCanonicalError(`${this.scalar.name}.writeSigned: expected integers with |x| < 2^53, got ${String(values[i])} at index ${i}`);
        }
        const b = i * 8;
        const a = Math.abs(x);
        const lo = a % 4294967296;
        const hi = (a - lo) / 4294967296;
        if (x >= 0) {
          w[b] = lo;
          w[b + 1] = hi;
          w.fill(0, b + 2, b + 8);
          continue;
        }
        // p − a, limb by limb with borrow (p > 2^53 > a)
        let d = P[0]! - lo;
        let borrow = d < 0 ? 1 : 0;
        w[b] = d + borrow * 4294967296;
        d = P[1]! - hi - borrow;
        borrow = d < 0 ? 1 : 0;
        w[b + 1] = d + borrow * 4294967296;
        for (let j = 2; j < 8; j++) {
          d = P[j]! - borrow;
          borrow = d < 0 ? 1 : 0;
          w[b + j] = d + borrow * 4294967296;
        }
      }
      this.fn('from_words')(v.at(offset), staging, n, this.r2);
    } finally {
      this.runtime.arena.release(staging);
    }
  }
  private pWords?: Uint32Array;

  /**
   * Integers of any size, `count` of them from `start` of `values`, into v
   * (from index 0), reduced mod p: a BigInt64Array of entries below 2^53
   * goes through `writeSigned`, anything else through bigint reduction.
   */
  writeIntegers(v: FieldVec, values: ArrayLike<bigint>, start = 0, count = values.length - start): void {
    if (values instanceof BigInt64Array) {
      try {
        this.writeSigned(v, values.subarray(start, start + count));
        return;
      } catch (e) {
        if (!(e instanceof NonCanonicalError)) throw e; // an entry ≥ 2^53: the exact path below
      }
    }
    this.writeBigints(v, Array.from({ length: count }, (_, j) => this.scalar.create(values[start + j]!)));
  }

  /**
   * Σ_j M_kj·x^j for every row k of the rows × cols integer matrix M
   * (row-major): each row as a polynomial evaluated at x, by one inner
   * product against (1, x, x², …) per row.
   */
  rowsAtPoint(values: ArrayLike<bigint>, rows: number, cols: number, x: bigint): bigint[] {
    if (values.length !== rows * cols) throw new ShapeError(`${this.scalar.name}.rowsAtPoint: expected ${rows} × ${cols} = ${rows * cols} values, got ${values.length}`);
    const r = this.alloc(cols);
    const row = this.alloc(cols);
    try {
      this.powers(r, 1n, this.scalar.create(x));
      const out = new Array<bigint>(rows);
      for (let k = 0; k < rows; k++) {
        this.writeIntegers(row, values, k * cols, cols);
        out[k] = this.inner(row, r);
      }
      return out;
    } finally {
      r.free();
      row.free();
    }
  }

  toBigints(v: FieldVec): bigint[] {
    const bytes = this.toBytes(v);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Array<bigint>(v.length);
    for (let i = 0; i < v.length; i++) {
      const b = i * WORD_BYTES;
      out[i] =
        dv.getBigUint64(b, true) |
        (dv.getBigUint64(b + 8, true) << 64n) |
        (dv.getBigUint64(b + 16, true) << 128n) |
        (dv.getBigUint64(b + 24, true) << 192n);
    }
    return out;
  }
  /** Canonical 32-byte little-endian encoding of every element. */
  toBytes(v: FieldVec): Uint8Array {
    const n = v.length;
    if (n === 0) return new Uint8Array(0);
    const staging = this.runtime.arena.alloc(n * WORD_BYTES);
    try {
      this.fn('to_words')(staging, v.ptr, n, this.scratch);
      return new Uint8Array(this.runtime.buffer, staging, n * WORD_BYTES).slice();
    } finally {
      this.runtime.arena.release(staging);
    }
  }
  /** Decode 32-byte little-endian canonical elements; any value ≥ p is rejected before anything is written. */
  fromBytes(bytes: Uint8Array): FieldVec {
    if (!(bytes instanceof Uint8Array) || bytes.length % WORD_BYTES !== 0) {
      throw new NonCanonicalError(`${this.scalar.name}.fromBytes: expected a multiple of ${WORD_BYTES} bytes, got ${bytes?.length}`);
    }
    const n = bytes.length / WORD_BYTES;
    const staging = this.runtime.arena.alloc(bytes.length);
    try {
      new Uint8Array(this.runtime.buffer, staging, bytes.length).set(bytes);
      const bad = this.fn('check_words')(staging, n);
      if (bad >= 0) throw new NonCanonicalError(`${this.scalar.name}.fromBytes: expected values below the modulus, element ${bad} is not`);
      const v = this.alloc(n);
      this.fn('from_words')(v.ptr, staging, n, this.r2);
      return v;
    } finally {
      this.runtime.arena.release(staging);
    }
  }
  readElement(ptr: number): bigint {
    this.fn('to_words')(this.scratch + 4 * ELEMENT_BYTES, ptr, 1, this.scratch);
    const dv = new DataView(this.runtime.buffer, this.scratch + 4 * ELEMENT_BYTES, WORD_BYTES);
    return (
      dv.getBigUint64(0, true) |
      (dv.getBigUint64(8, true) << 64n) |
      (dv.getBigUint64(16, true) << 128n) |
      (dv.getBigUint64(24, true) << 192n)
    );
  }
  writeElement(ptr: number, v: bigint): void {
    this.scalar.assertValid(v, 'FieldVec.set');
    this.writeLimbs(ptr, (v * this.set.params.R) % this.scalar.p);
  }
  /** Raw limbs (no Montgomery conversion). */
  private writeLimbs(ptr: number, x: bigint): void {
    const u32 = new Uint32Array(this.runtime.buffer, ptr, LIMBS);
    for (let j = 0; j < LIMBS; j++) {
      u32[j] = Number(x & 0x1fffffffn);
      x >>= 29n;
    }
  }

  // ---- element-wise kernels
  mul(out: FieldVec, a: FieldVec, b: FieldVec): void {
    this.checkSame('mul', out, a, b);
    this.pairwise('mul', out.ptr, a.ptr, b.ptr, out.length);
  }
  square(out: FieldVec, a: FieldVec): void {
    this.checkSame('square', out, a);
    const n = out.length;
    if (this.simd && n >= 2) {
      const pairs = n >> 1;
      this.simd[`${this.prefix}_sqr2`]!(out.ptr, a.ptr, pairs);
      if (n & 1) this.fn('sqr')(out.at(n - 1), a.at(n - 1), 1);
    } else this.fn('sqr')(out.ptr, a.ptr, n);
  }
  add(out: FieldVec, a: FieldVec, b: FieldVec): void {
    this.checkSame('add', out, a, b);
    this.fn('add')(out.ptr, a.ptr, b.ptr, out.length);
  }
  sub(out: FieldVec, a: FieldVec, b: FieldVec): void {
    this.checkSame('sub', out, a, b);
    this.fn('sub')(out.ptr, a.ptr, b.ptr, out.length);
  }
  neg(out: FieldVec, a: FieldVec): void {
    this.checkSame('neg', out, a);
    this.fn('neg')(out.ptr, a.ptr, out.length);
  }
  /** out_i = a_i · c. */
  scale(out: FieldVec, a: FieldVec, c: bigint): void {
    this.checkSame('scale', out, a);
    const cp = this.scratch + 3 * ELEMENT_BYTES;
    this.writeElement(cp, this.scalar.create(c));
    const n = out.length;
    if (this.simd && n >= 2) {
      this.simd[`${this.prefix}_scale2`]!(out.ptr, a.ptr, cp, n >> 1);
      if (n & 1) this.fn('scale')(out.at(n - 1), a.at(n - 1), cp, 1);
    } else this.fn('scale')(out.ptr, a.ptr, cp, n);
  }
  /** out_i = a_i + c (no multiplication: cheaper than an axpy against ones). */
  addScalar(out: FieldVec, a: FieldVec, c: bigint): void {
    this.checkSame('addScalar', out, a);
    const cp = this.scratch + 3 * ELEMENT_BYTES;
    this.writeElement(cp, this.scalar.create(c));
    this.fn('add_c')(out.ptr, a.ptr, cp, out.length);
  }
  /** y_i ← y_i + c · x_i. */
  axpy(y: FieldVec, c: bigint, x: FieldVec): void {
    this.checkSame('axpy', y, x);
    const cp = this.scratch + 3 * ELEMENT_BYTES;
    this.writeElement(cp, this.scalar.create(c));
    this.fn('axpy')(y.ptr, cp, x.ptr, y.length, this.scratch + 4 * ELEMENT_BYTES);
  }
  /** Bring every element to [0, p) (the kernels keep [0, 2p)); rarely needed by callers. */
  reduce(out: FieldVec, a: FieldVec): void {
    this.checkSame('reduce', out, a);
    this.fn('reduce')(out.ptr, a.ptr, out.length);
  }
  /** out_i = a_i⁻¹ with one field inversion (Montgomery's trick); zeros map to zero. */
  batchInv(out: FieldVec, a: FieldVec): void {
    this.checkSame('batchInv', out, a);
    if (out.ptr === a.ptr) {
      const copy = a.clone();
      try {
        this.fn('batch_inv')(out.ptr, copy.ptr, out.length, this.scratch);
      } finally {
        copy.free();
      }
    } else this.fn('batch_inv')(out.ptr, a.ptr, out.length, this.scratch);
  }
  /** out_i = start · base^i. */
  powers(out: FieldVec, start: bigint, base: bigint): void {
    const sp = this.scratch + 5 * ELEMENT_BYTES;
    const bp = this.scratch + 6 * ELEMENT_BYTES;
    this.writeElement(sp, this.scalar.create(start));
    this.writeElement(bp, this.scalar.create(base));
    this.fn('powers')(out.ptr, sp, bp, out.length);
  }
  /** out_0 = start, out_i = out_{i−1}·a_{i−1} (a running product; out must not be a). */
  prefixProduct(out: FieldVec, start: bigint, a: FieldVec): void {
    this.runPrefix('prefixProduct', 'prefix_mul', out, start, a);
  }
  /** out_0 = start, out_i = out_{i−1} + a_{i−1} (a running sum; out must not be a). */
  prefixSum(out: FieldVec, start: bigint, a: FieldVec): void {
    this.runPrefix('prefixSum', 'prefix_add', out, start, a);
  }
  private runPrefix(op: string, kernel: string, out: FieldVec, start: bigint, a: FieldVec): void {
    this.checkSame(op, out, a);
    if (out.ptr < a.ptr + a.byteLength && a.ptr < out.ptr + out.byteLength) throw new ShapeError(`${this.scalar.name}.${op}: expected out and a not to overlap`);
    const sp = this.scratch + 5 * ELEMENT_BYTES;
    this.writeElement(sp, this.scalar.create(start));
    this.fn(kernel)(out.ptr, sp, a.ptr, out.length);
  }
  /** Σ a_i · b_i. */
  inner(a: FieldVec, b: FieldVec): bigint {
    this.checkSame('inner', a, b);
    const acc = this.scratch + 5 * ELEMENT_BYTES;
    this.fn('inner')(acc, a.ptr, b.ptr, a.length, this.scratch + 6 * ELEMENT_BYTES);
    return this.readElement(acc);
  }

  private pairwise(op: 'mul', out: number, a: number, b: number, n: number): void {
    if (this.simd && n >= 2) {
      this.simd[`${this.prefix}_${op}2`]!(out, a, b, n >> 1);
      if (n & 1) {
        const off = (n - 1) * ELEMENT_BYTES;
        this.fn(op)(out + off, a + off, b + off, 1);
      }
    } else this.fn(op)(out, a, b, n);
  }

  checkSame(op: string, ...vs: FieldVec[]): void {
    const n = vs[0]!.length;
    for (const v of vs) {
      if (v.field.runtime !== this.runtime || v.field.prefix !== this.prefix) {
        throw new ShapeError(`${this.scalar.name}.${op}: expected vectors of ${this.scalar.name} in one runtime`);
      }
      if (v.length !== n) {
        throw new ShapeError(`${this.scalar.name}.${op}: expected equal lengths, got ${vs.map((x) => x.length).join(' and ')}`);
      }
    }
  }
}
