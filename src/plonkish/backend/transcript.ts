/**
 * Fiat–Shamir transcripts in halo2's read/write style: the prover's
 * `TranscriptWriter` absorbs each message and appends its encoding to the
 * proof; the verifier's `TranscriptReader` reads the same messages from the
 * proof bytes and absorbs them identically, so both derive the same
 * challenges and the proof encoding lives in one place.
 *
 * Hashes: Blake2b-512 (default; challenges reduced from 64 bytes, bias
 * < 2^-250) or Keccak-256 (for EVM verifiers; two 32-byte squeezes make the
 * 64 bytes). Every absorbed item is prefixed by a one-byte tag, and the state
 * starts from a domain label, so messages of different kinds cannot collide.
 *
 * Encodings: a scalar is 32 bytes little-endian, canonical (< r); a G1 point
 * is 32 bytes: x little-endian with bit 255 holding the parity of y and bit
 * 254 marking the point at infinity (x < 2^254 leaves both free).
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { Fq, Fr, packedFq, ZkTensorError } from '../../field/index.js';
import type { AffinePoint } from '../../curve/types.js';

export type { AffinePoint };
export type TranscriptHash = 'blake2b' | 'keccak256';

/** Malformed proof bytes; the verifier turns it into `false` with the message as reason. */
export class ProofFormatError extends ZkTensorError {
  override readonly name = 'ProofFormatError';
}

const TAG = { label: 0x00, scalar: 0x01, point: 0x02, bytes: 0x03, challenge: 0x04 } as const;
export const SCALAR_BYTES = 32;
export const POINT_BYTES = 32;
const INFINITY_BIT = 1n << 254n;
const PARITY_BIT = 1n << 255n;

interface Hasher {
  update(b: Uint8Array): Hasher;
  digest(): Uint8Array;
  clone(): Hasher;
}

function leBytes(x: bigint, n = 32): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function leBigint(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

export function encodePoint(p: AffinePoint): Uint8Array {
  if (p === null) return leBytes(INFINITY_BIT);
  return leBytes(p.x | (p.y & 1n ? PARITY_BIT : 0n));
}

/** Decode a compressed point, checking canonical x and that it lies on y² = x³ + 3. */
export function decodePoint(b: Uint8Array): AffinePoint {
  if (b.length !== POINT_BYTES) throw new ProofFormatError(`point: expected ${POINT_BYTES} bytes, got ${b.length}`);
  const v = leBigint(b);
  if (v & INFINITY_BIT) {
    if (v !== INFINITY_BIT) throw new ProofFormatError('point: infinity flag set with non-zero payload');
    return null;
  }
  const x = v & (INFINITY_BIT - 1n);
  if (x >= Fq.p) throw new ProofFormatError('point: x coordinate is not below the field modulus');
  const rhs = Fq.add(Fq.mul(Fq.square(x), x), 3n);
  let y = Fq.sqrt(rhs);
  if (y === undefined) throw new ProofFormatError('point: not on the curve y² = x³ + 3');
  if ((y & 1n) !== (v & PARITY_BIT ? 1n : 0n)) y = Fq.neg(y);
  return { x, y };
}

/** Points per batch of `decodePoints` (bounds the packed vectors' memory). */
const DECODE_BATCH = 1 << 16;
const SQRT_EXPONENT = (Fq.p + 1n) / 4n; // p ≡ 3 (mod 4): √a = a^((p+1)/4) when a is a square

/**
 * `count` compressed points, as `decodePoint` would give them one by one
 * (same checks, same errors), with the square roots of a batch computed at
 * once on packed Fq vectors: a verifying key with 10^5 row commitments
 * decodes in seconds instead of the ~0.4 ms each bigint square root costs.
 */
export function decodePoints(b: Uint8Array, count: number): AffinePoint[] {
  if (!Number.isInteger(count) || count < 0 || b.length !== count * POINT_BYTES) {
    throw new ProofFormatError(`points: expected ${count} × ${POINT_BYTES} bytes, got ${b.length}`);
  }
  const out: AffinePoint[] = new Array<AffinePoint>(count);
  const F = packedFq();
  for (let start = 0; start < count; start += DECODE_BATCH) {
    const n = Math.min(DECODE_BATCH, count - start);
    const xs: bigint[] = [];
    const at: number[] = [];
    const odd: boolean[] = [];
    for (let i = start; i < start + n; i++) {
      const chunk = b.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES);
      const v = leBigint(chunk);
      if (v & INFINITY_BIT) {
        out[i] = decodePoint(chunk); // the infinity encoding (or its error)
        continue;
      }
      const x = v & (INFINITY_BIT - 1n);
      if (x >= Fq.p) throw new ProofFormatError(`point ${i}: x coordinate is not below the field modulus`);
      xs.push(x);
      at.push(i);
      odd.push((v & PARITY_BIT) !== 0n);
    }
    if (!xs.length) continue;
    const X = F.fromBigints(xs);
    const R = F.alloc(xs.length);
    const Y = F.alloc(xs.length);
    try {
      // R = x³ + 3, Y = R^((p+1)/4) by square-and-multiply over the whole batch
      F.square(R, X);
      F.mul(R, R, X);
      Y.fill(3n);
      F.add(R, R, Y);
      Y.fill(1n);
      for (let bit = BigInt(SQRT_EXPONENT.toString(2).length - 1); bit >= 0n; bit--) {
        F.square(Y, Y);
        if ((SQRT_EXPONENT >> bit) & 1n) F.mul(Y, Y, R);
      }
      F.square(X, Y); // X now holds Y²: equal to R exactly where R is a square
      const rs = F.toBigints(R);
      const squares = F.toBigints(X);
      const ys = F.toBigints(Y);
      for (let j = 0; j < xs.length; j++) {
        if (squares[j] !== rs[j]) throw new ProofFormatError(`point ${at[j]}: not on the curve y² = x³ + 3`);
        let y = ys[j]!;
        if ((y & 1n) !== (odd[j] ? 1n : 0n)) y = Fq.neg(y);
        out[at[j]!] = { x: xs[j]!, y };
      }
    } finally {
      X.free();
      R.free();
      Y.free();
    }
  }
  return out;
}

export class Transcript {
  private state: Hasher;

  constructor(
    readonly hash: TranscriptHash = 'blake2b',
    label = 'zktensor-plonk-v1',
  ) {
    if (hash !== 'blake2b' && hash !== 'keccak256') {
      throw new TypeError(`Transcript: expected hash 'blake2b' or 'keccak256', got ${String(hash)}`);
    }
    this.state = (hash === 'blake2b' ? blake2b.create({ dkLen: 64 }) : keccak_256.create()) as unknown as Hasher;
    this.absorb(TAG.label, new TextEncoder().encode(label));
  }

  private absorb(tag: number, body: Uint8Array): void {
    this.state.update(Uint8Array.of(tag));
    this.state.update(leBytes(BigInt(body.length), 4));
    this.state.update(body);
  }

  /** Absorb a scalar both sides already know (an instance value, a VK digest). */
  commonScalar(x: bigint): void {
    Fr.assertValid(x, 'Transcript.commonScalar');
    this.absorb(TAG.scalar, leBytes(x));
  }
  commonPoint(p: AffinePoint): void {
    this.absorb(TAG.point, encodePoint(p));
  }
  commonBytes(b: Uint8Array): void {
    this.absorb(TAG.bytes, b);
  }

  /** A challenge in Fr derived from everything absorbed so far; the state moves on. */
  challenge(): bigint {
    this.state.update(Uint8Array.of(TAG.challenge));
    let wide: Uint8Array;
    if (this.hash === 'blake2b') wide = this.state.clone().digest();
    else {
      const lo = this.state.clone().digest();
      const hi = this.state.clone().update(Uint8Array.of(0x01)).digest();
      wide = new Uint8Array(64);
      wide.set(lo, 0);
      wide.set(hi, 32);
    }
    return leBigint(wide) % Fr.p;
  }
}

/** The prover's side: absorbs and records. */
export class TranscriptWriter extends Transcript {
  private readonly chunks: Uint8Array[] = [];

  writeScalar(x: bigint): void {
    this.commonScalar(x);
    this.chunks.push(leBytes(x));
  }
  writePoint(p: AffinePoint): void {
    this.commonPoint(p);
    this.chunks.push(encodePoint(p));
  }
  finish(): Uint8Array {
    const total = this.chunks.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** The verifier's side: reads from proof bytes, checks each encoding, absorbs. */
export class TranscriptReader extends Transcript {
  private offset = 0;

  constructor(
    private readonly proof: Uint8Array,
    hash: TranscriptHash = 'blake2b',
    label?: string,
  ) {
    super(hash, label);
  }

  private take(n: number, what: string): Uint8Array {
    if (this.offset + n > this.proof.length) {
      throw new ProofFormatError(`proof ends early: expected ${n} more bytes for ${what} at offset ${this.offset}, ${this.proof.length - this.offset} left`);
    }
    const b = this.proof.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  readScalar(what = 'a scalar'): bigint {
    const x = leBigint(this.take(SCALAR_BYTES, what));
    if (x >= Fr.p) throw new ProofFormatError(`${what}: scalar is not below the field modulus`);
    this.commonScalar(x);
    return x;
  }
  readPoint(what = 'a point'): AffinePoint {
    const at = this.offset;
    let p: AffinePoint;
    try {
      p = decodePoint(this.take(POINT_BYTES, what));
    } catch (e) {
      throw new ProofFormatError(`${what} at offset ${at}: ${(e as Error).message}`);
    }
    this.commonPoint(p);
    return p;
  }
  /** Every byte must have been consumed. */
  assertEnd(): void {
    if (this.offset !== this.proof.length) {
      throw new ProofFormatError(`proof has ${this.proof.length - this.offset} trailing bytes`);
    }
  }
}
