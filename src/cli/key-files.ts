/**
 * The key files `setup` writes, as versioned containers:
 *
 *   vk.bin  "ZKVB" | version u32 | sha256(settings) (32) | [1]₂ (128) | [τ]₂ (128)
 *           | VK length u32 | VK bytes (backend vk.ts)
 *   pk.bin  "ZKPB" | version u32 | sha256(settings) (32) | SRS length u64
 *           | SRS (halo2 params with the Lagrange basis) | PK length u64 | PK bytes (backend pk.ts)
 *
 * G2 points are 4 × 32-byte big-endian Fq coordinates (x.c0, x.c1, y.c0,
 * y.c1). vk.bin is all a verifier needs besides settings.json: the G2 side
 * of the SRS is inside it (the VK digest absorbs it, so a vk cannot be
 * paired with another SRS), and the settings digest ties it to the
 * settings it was made with. pk.bin carries the SRS's G1 side because a
 * random SRS cannot be made again once τ is gone. Malformed files are
 * `KeyFileError`s (exit 2) that say what was expected.
 */
import type { G2Affine } from '../curve/curve.js';
import { g2ToNoble } from '../curve/curve.js';
import { UsageError } from './errors.js';

export const VK_FILE_VERSION = 1;
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
  g2(field: string): G2Affine {
    return readG2(this.b, this.need(128, field), field);
  }
  end(): void {
    if (this.off !== this.b.length) throw new KeyFileError(`${this.what}: ${this.b.length - this.off} unexpected bytes after the end`);
  }
}

export function encodeVkFile(f: VkFile): Uint8Array {
  const out = new Uint8Array(8 + 32 + 256 + 4 + f.vk.length);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(VK_MAGIC), 0);
  dv.setUint32(4, VK_FILE_VERSION, true);
  out.set(f.settingsDigest, 8);
  writeG2(out, 40, f.g2);
  writeG2(out, 168, f.sG2);
  dv.setUint32(296, f.vk.length, true);
  out.set(f.vk, 300);
  return out;
}

export function decodeVkFile(bytes: Uint8Array): VkFile {
  const r = new Reader(bytes, 'vk.bin');
  r.magic(VK_MAGIC, VK_FILE_VERSION);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const g2 = r.g2('[1]₂');
  const sG2 = r.g2('[τ]₂');
  const vk = r.bytes(r.u32('the verifying key length'), 'the verifying key');
  r.end();
  return { settingsDigest, g2, sG2, vk };
}

export function encodePkFile(f: PkFile): Uint8Array {
  const out = new Uint8Array(8 + 32 + 8 + f.srs.length + 8 + f.pk.length);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(PK_MAGIC), 0);
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
