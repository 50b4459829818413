/**
 * Structured reference strings for KZG: [τ^i]₁ for i < 2^k, plus [1]₂ and
 * [τ]₂. Readers for the two formats users have on disk:
 *
 * - snarkjs `.ptau` (Perpetual Powers of Tau / Hermez ceremonies): a binary
 *   file "ptau" | version u32 | nSections u32, then sections (type u32,
 *   size u64, data). Section 1 is the header (n8 u32, q as n8 bytes, power
 *   u32, ceremonyPower u32); section 2 holds 2·2^power − 1 G1 points
 *   [τ^i]₁; section 3 holds 2^power G2 points [τ^i]₂. Coordinates are n8-byte
 *   little-endian integers in Montgomery form with R = 2^256.
 * - halo2 / EZKL raw params: u32 k (LE) | g[2^k] | g_lagrange[2^k] | g2 |
 *   s_g2, same coordinate encoding (halo2curves' raw format).
 *
 * Points are kept as canonical bigint affine coordinates; the point at
 * infinity is null (encoded (0, 0) on disk). Every point read is checked to
 * lie on its curve; a truncated or corrupted file is an `SrsFormatError` that
 * names the section and offset.
 */
import { Fq, ZkTensorError } from '../field/index.js';
import type { Fq2Pair, G2Affine } from '../curve/curve.js';
import type { AffinePoint } from '../curve/types.js';

/** An Fq2 element c0 + c1·u. */
export type Fq2 = Fq2Pair;
export type { G2Affine };

export interface Srs {
  readonly k: number;
  /** [τ^i]₁ for i < 2^k. */
  readonly g1: readonly AffinePoint[];
  /** [1]₂. */
  readonly g2: G2Affine;
  /** [τ]₂. */
  readonly sG2: G2Affine;
  /** [L_i(τ)]₁ when the source carried them (halo2 params); derive otherwise. */
  readonly g1Lagrange?: readonly AffinePoint[];
}

export class SrsFormatError extends ZkTensorError {
  override readonly name = 'SrsFormatError';
}

const MONT_R_INV = Fq.inv(Fq.create(1n << 256n));

// Fq2 = Fq[u]/(u² + 1); the twist is y² = x³ + 3/(9 + u).
const fq2 = {
  add: (a: Fq2, b: Fq2): Fq2 => [Fq.add(a[0], b[0]), Fq.add(a[1], b[1])],
  mul: (a: Fq2, b: Fq2): Fq2 => [
    Fq.sub(Fq.mul(a[0], b[0]), Fq.mul(a[1], b[1])),
    Fq.add(Fq.mul(a[0], b[1]), Fq.mul(a[1], b[0])),
  ],
};
const TWIST_B: Fq2 = (() => {
  // 3 / (9 + u) = 3·(9 − u) / 82
  const inv82 = Fq.inv(82n);
  return [Fq.mul(27n, inv82), Fq.mul(Fq.neg(3n), inv82)];
})();

export function isOnG1(p: AffinePoint): boolean {
  if (p === null) return true;
  return Fq.isValid(p.x) && Fq.isValid(p.y) && Fq.square(p.y) === Fq.add(Fq.mul(Fq.square(p.x), p.x), 3n);
}

export function isOnG2(p: G2Affine): boolean {
  if (p === null) return true;
  const valid = [...p.x, ...p.y].every((c) => Fq.isValid(c));
  if (!valid) return false;
  const lhs = fq2.mul(p.y, p.y);
  const rhs = fq2.add(fq2.mul(fq2.mul(p.x, p.x), p.x), TWIST_B);
  return lhs[0] === rhs[0] && lhs[1] === rhs[1];
}

class Reader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
  ) {}
  need(n: number, item: string): void {
    if (this.offset + n > this.bytes.length) {
      throw new SrsFormatError(`${this.what}: truncated: ${item} needs ${n} bytes at offset ${this.offset}, file has ${this.bytes.length}`);
    }
  }
  u32(item: string): number {
    this.need(4, item);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 4).getUint32(0, true);
    this.offset += 4;
    return v;
  }
  u64(item: string): number {
    this.need(8, item);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8).getBigUint64(0, true);
    this.offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SrsFormatError(`${this.what}: ${item} is too large`);
    return Number(v);
  }
  int(n8: number, item: string): bigint {
    this.need(n8, item);
    let x = 0n;
    for (let i = n8 - 1; i >= 0; i--) x = (x << 8n) | BigInt(this.bytes[this.offset + i]!);
    this.offset += n8;
    return x;
  }
  /** An Fq coordinate in Montgomery form (R = 2^256), checked canonical. */
  fq(item: string): bigint {
    const at = this.offset;
    const m = this.int(32, item);
    if (m >= Fq.p) throw new SrsFormatError(`${this.what}: ${item} at offset ${at} is not a canonical field element`);
    return Fq.mul(m, MONT_R_INV);
  }
  g1(item: string): AffinePoint {
    const at = this.offset;
    const x = this.fq(item);
    const y = this.fq(item);
    if (x === 0n && y === 0n) return null;
    const p = { x, y };
    if (!isOnG1(p)) throw new SrsFormatError(`${this.what}: ${item} at offset ${at} is not on G1`);
    return p;
  }
  g2(item: string): G2Affine {
    const at = this.offset;
    const x: Fq2 = [this.fq(item), this.fq(item)];
    const y: Fq2 = [this.fq(item), this.fq(item)];
    if (x[0] === 0n && x[1] === 0n && y[0] === 0n && y[1] === 0n) return null;
    const p = { x, y };
    if (!isOnG2(p)) throw new SrsFormatError(`${this.what}: ${item} at offset ${at} is not on G2`);
    return p;
  }
}

/**
 * Read a snarkjs `.ptau` file, keeping [τ^i]₁ for i < 2^k (k ≤ the file's
 * power; default: all of it).
 */
export function readPtau(bytes: Uint8Array, k?: number): Srs {
  const r = new Reader(bytes, 'ptau');
  r.need(12, 'header');
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== 'ptau') throw new SrsFormatError(`ptau: expected magic "ptau", got ${JSON.stringify(magic)}`);
  r.offset = 4;
  const version = r.u32('version');
  if (version !== 1) throw new SrsFormatError(`ptau: expected version 1, got ${version}`);
  const nSections = r.u32('section count');
  const sections = new Map<number, { start: number; size: number }>();
  for (let i = 0; i < nSections; i++) {
    const type = r.u32(`section ${i} type`);
    const size = r.u64(`section ${i} size`);
    r.need(size, `section ${type} body`);
    if (!sections.has(type)) sections.set(type, { start: r.offset, size });
    r.offset += size;
  }
  const section = (t: number) => {
    const s = sections.get(t);
    if (!s) throw new SrsFormatError(`ptau: section ${t} is missing`);
    r.offset = s.start;
    return s;
  };
  section(1);
  const n8 = r.u32('n8');
  if (n8 !== 32) throw new SrsFormatError(`ptau: expected 32-byte field elements (BN254), got ${n8}`);
  const q = r.int(n8, 'q');
  if (q !== Fq.p) throw new SrsFormatError('ptau: the file is not for BN254 (its base field modulus differs)');
  const power = r.u32('power');
  const want = k ?? power;
  if (!Number.isInteger(want) || want < 0 || want > power) {
    throw new SrsFormatError(`ptau: expected k ≤ ${power} (the file's power), got ${want}`);
  }
  const n = 2 ** want;
  const s2 = section(2);
  if (s2.size !== (2 * 2 ** power - 1) * 64) {
    throw new SrsFormatError(`ptau: section 2 holds ${s2.size} bytes, expected ${(2 * 2 ** power - 1) * 64} for power ${power}`);
  }
  const g1: AffinePoint[] = [];
  for (let i = 0; i < n; i++) g1.push(r.g1(`tauG1[${i}]`));
  section(3);
  const g2 = r.g2('tauG2[0]');
  const sG2 = r.g2('tauG2[1]');
  return { k: want, g1, g2, sG2 };
}

function writeInt(out: Uint8Array, off: number, x: bigint): void {
  for (let i = 0; i < 32; i++, x >>= 8n) out[off + i] = Number(x & 0xffn);
}
const toMont = (x: bigint) => Fq.create(x << 256n);

/** Read halo2/EZKL raw params (`u32 k | g | g_lagrange | g2 | s_g2`). */
export function readHalo2Params(bytes: Uint8Array): Srs {
  const r = new Reader(bytes, 'halo2 params');
  const k = r.u32('k');
  if (k > 28) throw new SrsFormatError(`halo2 params: expected k ≤ 28, got ${k}`);
  const n = 2 ** k;
  r.need(n * 128 + 256, 'points');
  const g1: AffinePoint[] = [];
  for (let i = 0; i < n; i++) g1.push(r.g1(`g[${i}]`));
  const g1Lagrange: AffinePoint[] = [];
  for (let i = 0; i < n; i++) g1Lagrange.push(r.g1(`g_lagrange[${i}]`));
  const g2 = r.g2('g2');
  const sG2 = r.g2('s_g2');
  if (r.offset !== bytes.length) throw new SrsFormatError(`halo2 params: ${bytes.length - r.offset} trailing bytes`);
  return { k, g1, g2, sG2, g1Lagrange };
}

/** Write halo2/EZKL raw params; the Lagrange points must be present. */
export function writeHalo2Params(srs: Srs): Uint8Array {
  if (!srs.g1Lagrange) throw new SrsFormatError('writeHalo2Params: expected the Lagrange-basis points; derive them first');
  const n = 2 ** srs.k;
  const out = new Uint8Array(4 + n * 128 + 256);
  new DataView(out.buffer).setUint32(0, srs.k, true);
  let off = 4;
  const g1 = (p: AffinePoint) => {
    writeInt(out, off, p ? toMont(p.x) : 0n);
    writeInt(out, off + 32, p ? toMont(p.y) : 0n);
    off += 64;
  };
  const g2 = (p: G2Affine) => {
    for (const c of p ? [...p.x, ...p.y] : [0n, 0n, 0n, 0n]) {
      writeInt(out, off, p ? toMont(c) : 0n);
      off += 32;
    }
  };
  for (let i = 0; i < n; i++) g1(srs.g1[i]!);
  for (let i = 0; i < n; i++) g1(srs.g1Lagrange[i]!);
  g2(srs.g2);
  g2(srs.sG2);
  return out;
}

/** The first 2^k powers (k ≤ srs.k); Lagrange points are dropped (they depend on k). */
export function truncateSrs(srs: Srs, k: number): Srs {
  if (!Number.isInteger(k) || k < 0 || k > srs.k) throw new RangeError(`truncateSrs: expected 0 ≤ k ≤ ${srs.k}, got ${k}`);
  if (k === srs.k) return srs;
  return { k, g1: srs.g1.slice(0, 2 ** k), g2: srs.g2, sG2: srs.sG2 };
}
