/**
 * The key files `setup` writes, as versioned containers:
 *
 *   vk.bin  "ZKVB" | version u32 (2) | sha256(settings) (32) | [1]₂ (128) | [τ]₂ (128)
 *           | VK length u32 | VK bytes (backend vk.ts)
 *           | weight matrices u32 | per matrix: name length u32, name (UTF-8),
 *             rows u32, cols u32, rows × row commitment (32, compressed G1)
 *   pk.bin  "ZKPB" | version u32 | sha256(settings) (32) | SRS length u64
 *           | SRS (halo2 params with the Lagrange basis) | PK length u64 | PK bytes (backend pk.ts)
 *
 * G2 points are 4 × 32-byte big-endian Fq coordinates (x.c0, x.c1, y.c0,
 * y.c1). vk.bin is all a verifier needs besides settings.json: the G2 side
 * of the SRS is inside it (the VK digest absorbs it, so a vk cannot be
 * paired with another SRS), and the settings digest ties it to the
 * settings it was made with. With weights=committed the row commitments
 * setup made are inside vk.bin too (their fingerprint is in the settings,
 * so the settings digest binds them); a verifier takes them from here,
 * never from a proof file. pk.bin carries the SRS's G1 side because a
 * random SRS cannot be made again once τ is gone. Malformed files are
 * `KeyFileError`s (exit 2) that say what was expected.
 */
import type { G2Affine } from '../curve/curve.js';
import { g2ToNoble } from '../curve/curve.js';
import type { AffinePoint } from '../curve/types.js';
import { decodePoint, encodePoint, POINT_BYTES } from '../plonkish/backend/index.js';
import type { MatrixCommitment } from '../pcs/matrix-commit.js';
import { UsageError } from './errors.js';

export const VK_FILE_VERSION = 2;
export const PK_FILE_VERSION = 1;
const VK_MAGIC = 'ZKVB';
const PK_MAGIC = 'ZKPB';

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
}

const writeFq = (out: Uint8Array, off: number, x: bigint) => {
  for (let i = 31; i >= 0; i--, x >>= 8n) out[off + i] = Number(x & 0xffn);
};
const readFq = (b: Uint8Array, off: number) => {
  let x = 0n;
  for (let i = 0; i < 32; i++) x = (x << 8n) | BigInt(b[off + i]!);
  return x;
};

function writeG2(out: Uint8Array, off: number, p: G2Affine): void {
  if (p === null) throw new KeyFileError('key file: expected a G2 point, got the point at infinity');
  [...p.x, ...p.y].forEach((c, i) => writeFq(out, off + 32 * i, c));
}

function readG2(b: Uint8Array, off: number, what: string): G2Affine {
  const c = [0, 1, 2, 3].map((i) => readFq(b, off + 32 * i));
  const p: G2Affine = { x: [c[0]!, c[1]!], y: [c[2]!, c[3]!] };
  try {
    g2ToNoble(p); // on the curve and in the prime-order subgroup
  } catch (e) {
    throw new KeyFileError(`vk.bin: ${what} is not a valid G2 point (${(e as Error).message})`);
  }
  return p;
}

class Reader {
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
  magic(m: string, version: number): void {
    const at = this.need(8, 'the header');
    const got = new TextDecoder().decode(this.b.subarray(at, at + 4));
    if (got !== m) throw new KeyFileError(`${this.what}: expected the "${m}" magic, got ${JSON.stringify(got)} (is this the right file?)`);
    const v = this.dv.getUint32(at + 4, true);
    if (v !== version) throw new KeyFileError(`${this.what}: expected version ${version}, got ${v}`);
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
  g2(field: string): G2Affine {
    return readG2(this.b, this.need(128, field), field);
  }
  end(): void {
    if (this.off !== this.b.length) throw new KeyFileError(`${this.what}: ${this.b.length - this.off} unexpected bytes after the end`);
  }
}

const utf8 = new TextEncoder();

function weightsSection(weights: readonly NamedCommitment[]): Uint8Array {
  const names = weights.map((w) => utf8.encode(w.name));
  const size = 4 + weights.reduce((a, w, i) => a + 12 + names[i]!.length + w.commitments.length * POINT_BYTES, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, weights.length, true);
  let off = 4;
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
  const weights = weightsSection(f.weights);
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
  r.magic(VK_MAGIC, VK_FILE_VERSION);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const g2 = r.g2('[1]₂');
  const sG2 = r.g2('[τ]₂');
  const vk = r.bytes(r.u32('the verifying key length'), 'the verifying key');
  const weights: NamedCommitment[] = [];
  const count = r.u32('the number of weight matrices');
  for (let i = 0; i < count; i++) {
    const name = new TextDecoder().decode(r.bytes(r.u32(`weight ${i}'s name length`), `weight ${i}'s name`));
    const rows = r.u32(`${name}'s rows`);
    const cols = r.u32(`${name}'s columns`);
    if (rows < 1 || cols < 1) throw new KeyFileError(`vk.bin: weight ${name} is ${rows} × ${cols}, expected at least 1 × 1`);
    const commitments: AffinePoint[] = [];
    for (let k = 0; k < rows; k++) commitments.push(r.point(`${name}'s row ${k} commitment`));
    weights.push({ name, rows, cols, commitments });
  }
  r.end();
  return { settingsDigest, g2, sG2, vk, weights };
}

export function encodePkFile(f: PkFile): Uint8Array {
  const out = new Uint8Array(8 + 32 + 8 + f.srs.length + 8 + f.pk.length);
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
  return out;
}

export function decodePkFile(bytes: Uint8Array): PkFile {
  const r = new Reader(bytes, 'pk.bin');
  r.magic(PK_MAGIC, PK_FILE_VERSION);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const srs = r.bytes(r.u64('the SRS length'), 'the SRS');
  const pk = r.bytes(r.u64('the proving key length'), 'the proving key');
  r.end();
  return { settingsDigest, srs, pk };
}
