/**
 * Versioned binary encoding of proving keys, so keys can be cached on disk:
 *   "ZKTK" | version u32 | VK length u32 | VK bytes (vk.ts) | fixed count u32
 *   | n u32 | each fixed column's Lagrange values (n × 32-byte LE, canonical)
 * Decoding recomputes the coefficients (inverse NTTs, no MSM) and
 * takes the commitments from the VK.
 */
import { ProofFormatError } from './transcript.js';
import { buildArgument } from './argument.js';
import { interpolate, StoredColumn, type ProverParams } from './columns.js';
import { assembleProvingKey, type ProvingKey } from './keygen.js';
import { decodeVk, encodeVk } from './vk.js';

export const PK_VERSION = 1;
const MAGIC = [0x5a, 0x4b, 0x54, 0x4b]; // "ZKTK"

export function encodePk(pk: ProvingKey): Uint8Array {
  const vk = encodeVk(pk.vk);
  const n = pk.arg.n;
  const cols = pk.fixedValues.map((s) => {
    const v = s.load();
    const b = v.toBytes();
    v.free();
    return b;
  });
  const out = new Uint8Array(12 + vk.length + 8 + cols.length * n * 32);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, PK_VERSION, true);
  dv.setUint32(8, vk.length, true);
  out.set(vk, 12);
  let off = 12 + vk.length;
  dv.setUint32(off, cols.length, true);
  dv.setUint32(off + 4, n, true);
  off += 8;
  for (const c of cols) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export function decodePk(bytes: Uint8Array, params: ProverParams): ProvingKey {
  const fail = (m: string): never => {
    throw new ProofFormatError(`proving key: ${m}`);
  };
  if (!(bytes instanceof Uint8Array) || bytes.length < 20 || MAGIC.some((m, i) => bytes[i] !== m)) fail('expected the "ZKTK" magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== PK_VERSION) fail(`expected version ${PK_VERSION}, got ${version}`);
  const vkLen = dv.getUint32(8, true);
  if (12 + vkLen + 8 > bytes.length) fail('truncated verifying key');
  const vk = decodeVk(bytes.subarray(12, 12 + vkLen), params);
  const arg = buildArgument(vk.circuit, vk.k);
  let off = 12 + vkLen;
  const count = dv.getUint32(off, true);
  const n = dv.getUint32(off + 4, true);
  off += 8;
  if (count !== arg.numFixed || n !== arg.n) fail(`expected ${arg.numFixed} fixed columns of ${arg.n} rows, got ${count} of ${n}`);
  if (off + count * n * 32 !== bytes.length) fail(`expected ${count * n * 32} bytes of fixed values and nothing after them`);
  if (vk.k > params.k) fail(`needs an SRS of 2^${vk.k}, the params hold 2^${params.k}`);
  const F = params.ntt.F;
  const fixedValues: StoredColumn[] = [];
  const fixedCoeffs: StoredColumn[] = [];
  for (let i = 0; i < count; i++) {
    const v = F.fromBytes(bytes.subarray(off + i * n * 32, off + (i + 1) * n * 32));
    fixedCoeffs.push(StoredColumn.take(interpolate(v, params)));
    fixedValues.push(StoredColumn.take(v));
  }
  return assembleProvingKey(vk, arg, fixedCoeffs, fixedValues, params);
}
