/**
 * The key files of a model proved as linked segments (`setup --split
 * layers`, models/chain.ts): new magics, so a single circuit's reader
 * refuses them by name and vice versa (key-files.ts knows all four).
 *
 *   vk.bin  "ZKVC" | version u32 (1) | sha256(settings) (32) | [1]₂ (128) | [τ]₂ (128)
 *           | keys u32 | per distinct circuit: VK length u32, VK bytes (backend vk.ts)
 *           | segments u32 | per segment: key index u32, its committed weights
 *             (weight flags u32, matrices u32, per matrix: name, rows, cols,
 *             row commitments — the section of a single circuit's vk.bin)
 *   pk.bin  "ZKPC" | version u32 (1) | sha256(settings) (32) | SRS length u64
 *           | SRS (halo2 params with the Lagrange basis)
 *           | keys u32 | per distinct circuit: PK length u64, PK bytes (backend pk.ts)
 *           | segments u32 | per segment: key index u32, its committed weights (as
 *             in vk.bin: the prover binds its proof to their fingerprint), the
 *             blinds of its hiding commitments (as in a single pk.bin)
 *
 * Segments with equal circuits (GPT-2's blocks) share one key, stored once.
 * The segment list, the key each uses and every fingerprint are also in
 * settings.json (its digest is in both files): a verifier takes the segment
 * list from there and from vk.bin, never from a proof file. Malformed files
 * are `KeyFileError`s (exit 2) naming the part and what was expected.
 */
import type { G2Affine } from '../curve/curve.js';
import { blindsSection, KeyFileError, type NamedCommitment, Reader, readBlindsSection, readWeightsSection, weightsSection, writeG2 } from './key-files.js';

export const CHAIN_VK_MAGIC = 'ZKVC';
export const CHAIN_PK_MAGIC = 'ZKPC';
export const CHAIN_VK_VERSION = 1;
export const CHAIN_PK_VERSION = 1;

/** One segment's part of vk.bin: which key it uses and its weight commitments. */
export interface ChainVkSegment {
  readonly key: number;
  readonly weights: readonly NamedCommitment[];
  readonly weightsHiding: boolean;
}

export interface ChainVkFile {
  readonly settingsDigest: Uint8Array;
  readonly g2: G2Affine;
  readonly sG2: G2Affine;
  /** The distinct verifying keys (backend encoding). */
  readonly vks: readonly Uint8Array[];
  readonly segments: readonly ChainVkSegment[];
}

/** One segment's part of pk.bin: its key, its weight commitments and the blinds of hiding ones. */
export interface ChainPkSegment extends ChainVkSegment {
  readonly blinds: readonly (readonly bigint[])[];
}

export interface ChainPkFile {
  readonly settingsDigest: Uint8Array;
  /** halo2 params bytes (with the Lagrange basis). */
  readonly srs: Uint8Array;
  /** The distinct proving keys (backend encoding). */
  readonly pks: readonly Uint8Array[];
  readonly segments: readonly ChainPkSegment[];
}

const utf8 = new TextEncoder();

/** Concatenate parts (each a Uint8Array) into one array. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
const u64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
};

function header(magic: string, version: number, digest: Uint8Array, what: string): Uint8Array {
  if (digest.length !== 32) throw new KeyFileError(`${what}: expected a 32-byte settings digest, got ${digest.length} bytes`);
  return concat([utf8.encode(magic), u32(version), digest]);
}

/** The key indices: each below the number of keys, every key used, at least one segment. */
function checkKeyIndices(segments: readonly { key: number }[], keys: number, what: string): void {
  if (segments.length === 0) throw new KeyFileError(`${what}: expected at least one segment, got none`);
  if (keys === 0) throw new KeyFileError(`${what}: expected at least one key, got none`);
  const used = new Set<number>();
  segments.forEach((s, j) => {
    if (!Number.isInteger(s.key) || s.key < 0 || s.key >= keys) throw new KeyFileError(`${what}: segment ${j} uses key ${s.key}, expected one of 0…${keys - 1}`);
    used.add(s.key);
  });
  if (used.size !== keys) throw new KeyFileError(`${what}: ${keys} keys, but the segments use only ${used.size} of them`);
}

export function encodeChainVkFile(f: ChainVkFile): Uint8Array {
  checkKeyIndices(f.segments, f.vks.length, 'vk.bin');
  const g2 = new Uint8Array(256);
  writeG2(g2, 0, f.g2);
  writeG2(g2, 128, f.sG2);
  return concat([
    header(CHAIN_VK_MAGIC, CHAIN_VK_VERSION, f.settingsDigest, 'vk.bin'),
    g2,
    u32(f.vks.length),
    ...f.vks.flatMap((vk) => [u32(vk.length), vk]),
    u32(f.segments.length),
    ...f.segments.flatMap((s) => [u32(s.key), weightsSection(s.weights, s.weightsHiding)]),
  ]);
}

export function decodeChainVkFile(bytes: Uint8Array): ChainVkFile {
  const r = new Reader(bytes, 'vk.bin');
  r.magic(CHAIN_VK_MAGIC, CHAIN_VK_VERSION);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const g2 = r.g2('[1]₂');
  const sG2 = r.g2('[τ]₂');
  const vks: Uint8Array[] = [];
  const keys = r.u32('the number of keys');
  for (let i = 0; i < keys; i++) vks.push(r.bytes(r.u32(`key ${i}'s length`), `key ${i}`));
  const segments: ChainVkSegment[] = [];
  const count = r.u32('the number of segments');
  for (let j = 0; j < count; j++) {
    const key = r.u32(`segment ${j}'s key index`);
    const { weights, hiding } = readWeightsSection(r, `vk.bin: segment ${j}`, true, `segment ${j}'s `);
    segments.push({ key, weights, weightsHiding: hiding });
  }
  r.end();
  checkKeyIndices(segments, vks.length, 'vk.bin');
  return { settingsDigest, g2, sG2, vks, segments };
}

export function encodeChainPkFile(f: ChainPkFile): Uint8Array {
  checkKeyIndices(f.segments, f.pks.length, 'pk.bin');
  return concat([
    header(CHAIN_PK_MAGIC, CHAIN_PK_VERSION, f.settingsDigest, 'pk.bin'),
    u64(f.srs.length),
    f.srs,
    u32(f.pks.length),
    ...f.pks.flatMap((pk) => [u64(pk.length), pk]),
    u32(f.segments.length),
    ...f.segments.flatMap((s) => [u32(s.key), weightsSection(s.weights, s.weightsHiding), blindsSection(s.blinds)]),
  ]);
}

export function decodeChainPkFile(bytes: Uint8Array): ChainPkFile {
  const r = new Reader(bytes, 'pk.bin');
  r.magic(CHAIN_PK_MAGIC, CHAIN_PK_VERSION);
  const settingsDigest = r.bytes(32, 'the settings digest');
  const srs = r.bytes(r.u64('the SRS length'), 'the SRS');
  const pks: Uint8Array[] = [];
  const keys = r.u32('the number of keys');
  for (let i = 0; i < keys; i++) pks.push(r.bytes(r.u64(`key ${i}'s length`), `key ${i}`));
  const segments: ChainPkSegment[] = [];
  const count = r.u32('the number of segments');
  for (let j = 0; j < count; j++) {
    const key = r.u32(`segment ${j}'s key index`);
    const { weights, hiding } = readWeightsSection(r, `pk.bin: segment ${j}`, true, `segment ${j}'s `);
    const blinds = readBlindsSection(r, `pk.bin: segment ${j}`, `segment ${j}'s `);
    if (hiding ? blinds.map((b) => b.length).join() !== weights.map((w) => w.rows).join() : blinds.length !== 0) {
      throw new KeyFileError(`pk.bin: segment ${j} has ${hiding ? 'hiding' : 'binding-only'} commitments to ${weights.length} matrices of [${weights.map((w) => w.rows).join(', ')}] rows, but blinds for ${blinds.length} of [${blinds.map((b) => b.length).join(', ')}] (expected ${hiding ? 'one per row' : 'none'})`);
    }
    segments.push({ key, weights, weightsHiding: hiding, blinds });
  }
  r.end();
  checkKeyIndices(segments, pks.length, 'pk.bin');
  return { settingsDigest, srs, pks, segments };
}
