/**
 * The key files `setup` writes, as versioned containers:
 *
 *   vk.bin  "ZKVB" | version u32 (3) | sha256(settings) (32) | [1]₂ (128) | [τ]₂ (128)
 *           | VK length u32 | VK bytes (backend vk.ts)
 *           | weight flags u32 (bit 0: the commitments are hiding)
 *           | weight matrices u32 | per matrix: name length u32, name (UTF-8),
 *             rows u32, cols u32, rows × row commitment (32, compressed G1)
 *   pk.bin  "ZKPB" | version u32 (2) | sha256(settings) (32) | SRS length u64
 *           | SRS (halo2 params with the Lagrange basis) | PK length u64 | PK bytes (backend pk.ts)
 *           | blinded matrices u32 | per matrix: rows u32, rows × r_k (32, little-endian)
 *
 * Older files still load: vk.bin version 2 (no weight flags) as binding-only
 * commitments, pk.bin version 1 (no blinds) with none.
 *
 * G2 points are 4 × 32-byte big-endian Fq coordinates (x.c0, x.c1, y.c0,
 * y.c1). vk.bin is all a verifier needs besides settings.json: the G2 side
 * of the SRS is inside it (the VK digest absorbs it, so a vk cannot be
 * paired with another SRS), and the settings digest ties it to the
 * settings it was made with. With weights=committed the row commitments
 * setup made are inside vk.bin too (their fingerprint is in the settings,
 * so the settings digest binds them); a verifier takes them from here,
 * never from a proof file, and so is whether they are hiding: the verifier
 * applies the check its vk.bin records, whatever the proof file holds.
 * pk.bin carries the SRS's G1 side because a random SRS cannot be made
 * again once τ is gone, and with hiding commitments the blinding scalars
 * r_k: pk.bin is then as secret as the weights (with the r_k, vk.bin's
 * commitments let anyone test guesses of the weights). Malformed files are
 * `KeyFileError`s (exit 2) that say what was expected. A model proved as
 * linked segments has containers of its own (chain-files.ts: "ZKVC",
 * "ZKPC", built from the reader and sections here); a file of the other
 * kind is refused by its magic, named.
 */
import type { G2Affine } from '../curve/curve.js';
import { g2ToNoble } from '../curve/curve.js';
import type { AffinePoint } from '../curve/types.js';
import { decodePoint, decodePoints, encodePoint, POINT_BYTES } from '../plonkish/backend/index.js';
import type { MatrixCommitment } from '../pcs/matrix-commit.js';
import { Fr } from '../field/index.js';
import { UsageError } from './errors.js';

export const VK_FILE_VERSION = 3;
export const PK_FILE_VERSION = 2;
/** Older versions that still load (vk.bin 2: binding-only commitments; pk.bin 1: no blinds). */
const VK_OLDER = [2];
const PK_OLDER = [1];
const HIDING_FLAG = 1;
const VK_MAGIC = 'ZKVB';
const PK_MAGIC = 'ZKPB';

/** The key files' magics and what each is (chain-files.ts has the split model's). */
export const KNOWN_MAGICS: Readonly<Record<string, string>> = {
  ZKVB: "a single circuit's vk.bin",
  ZKPB: "a single circuit's pk.bin",
  ZKVC: "a split model's vk.bin (the keys of linked segments)",
  ZKPC: "a split model's pk.bin (the keys of linked segments)",
};

/** The first 4 bytes as text (a key file's magic), '' when shorter. */
export const fileMagic = (b: Uint8Array): string => (b.length >= 4 ? new TextDecoder().decode(b.subarray(0, 4)) : '');

export class KeyFileError extends UsageError {
  override readonly name = 'KeyFileError';
}

export interface VkFile {
  readonly settingsDigest: Uint8Array;
  readonly g2: G2Affine;
  readonly sG2: G2Affine;
  readonly vk: Uint8Array;
  /** The committed weight matrices (weights=committed), in fingerprint order; empty otherwise. */
  readonly weights: readonly NamedCommitment[];
  /** Whether `weights` are hiding commitments (C_k = [P_k(τ)]₁ + r_k·H); false for binding ones or none. */
  readonly weightsHiding: boolean;
}

/** One committed weight matrix: its name in the model and its row commitments. */
export interface NamedCommitment extends MatrixCommitment {
  readonly name: string;
}

export interface PkFile {
  readonly settingsDigest: Uint8Array;
  /** halo2 params bytes (with the Lagrange basis). */
  readonly srs: Uint8Array;
  readonly pk: Uint8Array;
  /** Hiding commitments' blinding scalars r_k, per matrix in fingerprint order (the prover's secret); empty or absent otherwise. */
  readonly weightBlinds?: readonly (readonly bigint[])[];
}

const writeFq = (out: Uint8Array, off: number, x: bigint) => {
  for (let i = 31; i >= 0; i--, x >>= 8n) out[off + i] = Number(x & 0xffn);
};
const readFq = (b: Uint8Array, off: number) => {
  let x = 0n;
  for (let i = 0; i < 32; i++) x = (x << 8n) | BigInt(b[off + i]!);
  return x;
};

export function writeG2(out: Uint8Array, off: number, p: G2Affine): void {
  if (p === null) throw new KeyFileError('key file: expected a G2 point, got the point at infinity');
  [...p.x, ...p.y].forEach((c, i) => writeFq(out, off + 32 * i, c));
}

function readG2(b: Uint8Array, off: number, what: string, file: string): G2Affine {
  const c = [0, 1, 2, 3].map((i) => readFq(b, off + 32 * i));
  const p: G2Affine = { x: [c[0]!, c[1]!], y: [c[2]!, c[3]!] };
  try {
    g2ToNoble(p); // on the curve and in the prime-order subgroup
  } catch (e) {
    throw new KeyFileError(`${file}: ${what} is not a valid G2 point (${(e as Error).message})`);
  }
  return p;
}

/** Reads a key file front to back; every shortfall is a KeyFileError naming the field and the file (`what`). */
export class Reader {
  private off = 0;
  private readonly dv: DataView;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  need(n: number, field: string): number {
    if (this.off + n > this.b.length) throw new KeyFileError(`${this.what}: truncated at ${field} (expected ${n} more bytes at offset ${this.off}, the file has ${this.b.length - this.off})`);
    const at = this.off;
    this.off += n;
    return at;
  }
  /** The magic, then the version: `version` or one of `older` (returned). */
  magic(m: string, version: number, older: readonly number[] = []): number {
    const at = this.need(8, 'the header');
    const got = new TextDecoder().decode(this.b.subarray(at, at + 4));
    if (got !== m) {
      const known = KNOWN_MAGICS[got];
      throw new KeyFileError(`${this.what}: expected the "${m}" magic (${KNOWN_MAGICS[m] ?? 'a key file'}), got ${JSON.stringify(got)} (${known ? `that is ${known}` : 'is this the right file?'})`);
    }
    const v = this.dv.getUint32(at + 4, true);
    if (v !== version && !older.includes(v)) throw new KeyFileError(`${this.what}: expected version ${[version, ...older].join(' or ')}, got ${v}`);
    return v;
  }
  bytes(n: number, field: string): Uint8Array {
    const at = this.need(n, field);
    return this.b.subarray(at, at + n);
  }
  u32(field: string): number {
    return this.dv.getUint32(this.need(4, field), true);
  }
  u64(field: string): number {
    const v = this.dv.getBigUint64(this.need(8, field), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new KeyFileError(`${this.what}: ${field} length ${v} is implausible`);
    return Number(v);
  }
  point(field: string): AffinePoint {
    const at = this.need(POINT_BYTES, field);
    try {
      return decodePoint(this.b.subarray(at, at + POINT_BYTES));
    } catch (e) {
      throw new KeyFileError(`${this.what}: ${field} is not a valid G1 point (${(e as Error).message})`);
    }
  }
  /** `count` points in a row (their square roots batched: decodePoints); a bad one is named by `field(i)`. */
  points(count: number, field: (i: number) => string): AffinePoint[] {
    const at = this.need(count * POINT_BYTES, count ? field(0) : 'points');
    const bytes = this.b.subarray(at, at + count * POINT_BYTES);
    try {
      return decodePoints(bytes, count);
    } catch {
      // find the first bad point, one by one, for the message
      for (let i = 0; i < count; i++) {
        try {
          decodePoint(bytes.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES));
        } catch (e) {
          throw new KeyFileError(`${this.what}: ${field(i)} is not a valid G1 point (${(e as Error).message})`);
        }
      }
      throw new KeyFileError(`${this.what}: ${field(0)}…: not valid G1 points`);
    }
  }
  g2(field: string): G2Affine {
    return readG2(this.b, this.need(128, field), field, this.what);
  }
  end(): void {
    if (this.off !== this.b.length) throw new KeyFileError(`${this.what}: ${this.b.length - this.off} unexpected bytes after the end`);
  }
}

const utf8 = new TextEncoder();

/** The committed weights' section: flags u32 (bit 0: hiding), matrices u32, per matrix name, shape and row commitments. */
export function weightsSection(weights: readonly NamedCommitment[], hiding: boolean): Uint8Array {
  if (hiding && weights.length === 0) throw new KeyFileError('vk.bin: hiding weight commitments need at least one committed matrix, got none');
  const names = weights.map((w) => utf8.encode(w.name));
  const size = 8 + weights.reduce((a, w, i) => a + 12 + names[i]!.length + w.commitments.length * POINT_BYTES, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, hiding ? HIDING_FLAG : 0, true);
  dv.setUint32(4, weights.length, true);
  let off = 8;
  weights.forEach((w, i) => {
    if (w.commitments.length !== w.rows) throw new KeyFileError(`vk.bin: weight ${w.name} has ${w.commitments.length} row commitments, expected ${w.rows}`);
    dv.setUint32(off, names[i]!.length, true);
    out.set(names[i]!, off + 4);
    off += 4 + names[i]!.length;
    dv.setUint32(off, w.rows, true);
    dv.setUint32(off + 4, w.cols, true);
    off += 8;
    for (const c of w.commitments) {
      out.set(encodePoint(c), off);
      off += POINT_BYTES;
    }
  });
  return out;
}

export function encodeVkFile(f: VkFile): Uint8Array {
  const weights = weightsSection(f.weights, f.weightsHiding);
  const out = new Uint8Array(8 + 32 + 256 + 4 + f.vk.length + weights.length);
  const dv = new DataView(out.buffer);
  out.set(utf8.encode(VK_MAGIC), 0);
  dv.setUint32(4, VK_FILE_VERSION, true);
  out.set(f.settingsDigest, 8);
  writeG2(out, 40, f.g2);
  writeG2(out, 168, f.sG2);
  dv.setUint32(296, f.vk.length, true);
  out.set(f.vk, 300);
  out.set(weights, 300 + f.vk.length);
  return out;
}

export function decodeVkFile(bytes: Uint8Array): VkFile {
  const r = new Reader(bytes, 'vk.bin');
  const version = r.magic(VK_MAGIC, VK_FILE_VERSION, VK_OLDER);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const g2 = r.g2('[1]₂');
  const sG2 = r.g2('[τ]₂');
  const vk = r.bytes(r.u32('the verifying key length'), 'the verifying key');
  // version 2 predates hiding commitments: its commitments are binding only
  const { weights, hiding } = readWeightsSection(r, 'vk.bin', version >= 3);
  r.end();
  return { settingsDigest, g2, sG2, vk, weights, weightsHiding: hiding };
}

/** Read a `weightsSection` (without flags: binding only); `where` prefixes the messages ("vk.bin", "vk.bin: segment 2"). */
export function readWeightsSection(r: Reader, where: string, withFlags = true, field = ''): { weights: NamedCommitment[]; hiding: boolean } {
  const flags = withFlags ? r.u32(`${field}the weight flags`) : 0;
  if (flags & ~HIDING_FLAG) throw new KeyFileError(`${where}: unknown weight flags 0x${flags.toString(16)} (expected 0 or ${HIDING_FLAG}: hiding)`);
  const weights: NamedCommitment[] = [];
  const count = r.u32(`${field}the number of weight matrices`);
  if (flags & HIDING_FLAG && count === 0) throw new KeyFileError(`${where}: marked hiding, but it holds no weight commitments`);
  for (let i = 0; i < count; i++) {
    const name = new TextDecoder().decode(r.bytes(r.u32(`${field}weight ${i}'s name length`), `${field}weight ${i}'s name`));
    const rows = r.u32(`${field}${name}'s rows`);
    const cols = r.u32(`${field}${name}'s columns`);
    if (rows < 1 || cols < 1) throw new KeyFileError(`${where}: weight ${name} is ${rows} × ${cols}, expected at least 1 × 1`);
    const commitments = r.points(rows, (k) => `${field}${name}'s row ${k} commitment`);
    weights.push({ name, rows, cols, commitments });
  }
  return { weights, hiding: (flags & HIDING_FLAG) !== 0 };
}

/** Hiding commitments' blinds: matrices u32, per matrix rows u32 and rows × r_k (32 bytes, little-endian). */
export function blindsSection(blinds: readonly (readonly bigint[])[]): Uint8Array {
  const out = new Uint8Array(4 + blinds.reduce((a, b) => a + 4 + 32 * b.length, 0));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, blinds.length, true);
  let off = 4;
  blinds.forEach((b, i) => {
    dv.setUint32(off, b.length, true);
    off += 4;
    for (const [k, x] of b.entries()) {
      if (x < 0n || x >= Fr.p) throw new KeyFileError(`pk.bin: blinding scalar ${k} of matrix ${i} is not a canonical scalar`);
      for (let j = 0; j < 32; j++) out[off + j] = Number((x >> BigInt(8 * j)) & 0xffn);
      off += 32;
    }
  });
  return out;
}

export function encodePkFile(f: PkFile): Uint8Array {
  const blinds = blindsSection(f.weightBlinds ?? []);
  const out = new Uint8Array(8 + 32 + 8 + f.srs.length + 8 + f.pk.length + blinds.length);
  const dv = new DataView(out.buffer);
  out.set(utf8.encode(PK_MAGIC), 0);
  dv.setUint32(4, PK_FILE_VERSION, true);
  out.set(f.settingsDigest, 8);
  let off = 40;
  for (const part of [f.srs, f.pk]) {
    dv.setBigUint64(off, BigInt(part.length), true);
    out.set(part, off + 8);
    off += 8 + part.length;
  }
  out.set(blinds, off);
  return out;
}

export function decodePkFile(bytes: Uint8Array): PkFile {
  const r = new Reader(bytes, 'pk.bin');
  const version = r.magic(PK_MAGIC, PK_FILE_VERSION, PK_OLDER);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const srs = r.bytes(r.u64('the SRS length'), 'the SRS');
  const pk = r.bytes(r.u64('the proving key length'), 'the proving key');
  // version 1 predates hiding commitments: no blinds
  const weightBlinds = version >= 2 ? readBlindsSection(r, 'pk.bin') : [];
  r.end();
  return { settingsDigest, srs, pk, weightBlinds };
}

/** Read a `blindsSection`; `where` prefixes the messages, `field` the fields' names. */
export function readBlindsSection(r: Reader, where: string, field = ''): bigint[][] {
  const weightBlinds: bigint[][] = [];
  const count = r.u32(`${field}the number of blinded matrices`);
  for (let i = 0; i < count; i++) {
    const rows = r.u32(`${field}matrix ${i}'s number of blinds`);
    const blinds: bigint[] = [];
    for (let k = 0; k < rows; k++) {
      const b = r.bytes(32, `${field}matrix ${i}'s blind ${k}`);
      let x = 0n;
      for (let j = 31; j >= 0; j--) x = (x << 8n) | BigInt(b[j]!);
      if (x >= Fr.p) throw new KeyFileError(`${where}: matrix ${i}'s blind ${k} is not a canonical scalar (≥ the group order)`);
      blinds.push(x);
    }
    weightBlinds.push(blinds);
  }
  return weightBlinds;
}
