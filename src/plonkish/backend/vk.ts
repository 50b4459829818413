/**
 * The verifying key and its versioned binary encoding:
 *   "ZKTV" | version u32 | k u32 | circuit JSON length u32 | circuit JSON (UTF-8)
 *   | fixed count u32 | fixed commitments (32-byte compressed points)
 * The digest (Blake2b-512 of the encoding and the SRS's G2 side, reduced
 * into Fr) is the first thing every transcript absorbs.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { Fr } from '../../field/index.js';
import type { AffinePoint } from '../../curve/types.js';
import { parseCompiledCircuit, serializeCompiledCircuit, type CompiledCircuit } from '../frontend/index.js';
import { POINT_BYTES, ProofFormatError, decodePoint, encodePoint } from './transcript.js';

export const VK_VERSION = 1;
const MAGIC = [0x5a, 0x4b, 0x54, 0x56]; // "ZKTV"

export interface VerifyingKey {
  readonly k: number;
  readonly circuit: CompiledCircuit;
  /** Circuit fixed columns, selectors, then σ_i. */
  readonly fixedCommitments: readonly AffinePoint[];
  readonly digest: bigint;
}

export function encodeVk(vk: Omit<VerifyingKey, 'digest'>): Uint8Array {
  const json = new TextEncoder().encode(serializeCompiledCircuit(vk.circuit));
  const out = new Uint8Array(16 + json.length + 4 + vk.fixedCommitments.length * POINT_BYTES);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, VK_VERSION, true);
  dv.setUint32(8, vk.k, true);
  dv.setUint32(12, json.length, true);
  out.set(json, 16);
  let off = 16 + json.length;
  dv.setUint32(off, vk.fixedCommitments.length, true);
  off += 4;
  for (const p of vk.fixedCommitments) {
    out.set(encodePoint(p), off);
    off += POINT_BYTES;
  }
  return out;
}

/** Decode a VK; typed errors name what is wrong. The digest needs the SRS id. */
export function decodeVk(bytes: Uint8Array, srs: { srsId: Uint8Array }): VerifyingKey {
  const fail = (m: string): never => {
    throw new ProofFormatError(`verifying key: ${m}`);
  };
  if (bytes.length < 20 || MAGIC.some((m, i) => bytes[i] !== m)) fail('expected the "ZKTV" magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== VK_VERSION) fail(`expected version ${VK_VERSION}, got ${version}`);
  const k = dv.getUint32(8, true);
  const len = dv.getUint32(12, true);
  if (16 + len + 4 > bytes.length) fail('truncated circuit description');
  const circuit = parseCompiledCircuit(new TextDecoder().decode(bytes.subarray(16, 16 + len)));
  let off = 16 + len;
  const count = dv.getUint32(off, true);
  off += 4;
  if (off + count * POINT_BYTES !== bytes.length) fail(`expected ${count} commitments and nothing after them`);
  const fixedCommitments: AffinePoint[] = [];
  for (let i = 0; i < count; i++, off += POINT_BYTES) fixedCommitments.push(decodePoint(bytes.subarray(off, off + POINT_BYTES)));
  const vk = { k, circuit, fixedCommitments };
  return { ...vk, digest: vkDigest(vk, srs) };
}

export function vkDigest(vk: Omit<VerifyingKey, 'digest'>, srs: { srsId: Uint8Array }): bigint {
  const h = blake2b.create({ dkLen: 64 });
  h.update(new TextEncoder().encode('zktensor-vk-v1'));
  h.update(encodeVk(vk));
  h.update(srs.srsId);
  const d = h.digest();
  let x = 0n;
  for (let i = d.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(d[i]!);
  return x % Fr.p;
}
