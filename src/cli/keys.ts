/**
 * The SRS and the keys for a compiled model: load the SRS (dev or a halo2
 * params file), then take the proving / verifying key from the cache
 * (key-cache.ts) or run keygen and store both.
 */
import { readFileSync } from 'node:fs';
import { ModelCircuit } from '../models/index.js';
import { keygen, type ProvingKey } from '../plonkish/backend/keygen.js';
import { decodePk, encodePk } from '../plonkish/backend/pk.js';
import { decodeVk, encodeVk, type VerifyingKey } from '../plonkish/backend/vk.js';
import { KzgParams, unsafeDevSrs } from '../poly/kzg.js';
import { readHalo2Params, type Srs, truncateSrs } from '../poly/srs.js';
import { DEFAULT_CACHE_DIR, hex, KeyCache, cacheKey } from './key-cache.js';
import type { CompiledModel } from './model-source.js';
import { type ProofFile, UsageError } from './proof-file.js';

export const DEV_SRS_SEED = 'zktensor-cli-dev';

export function loadSrs(path: string | undefined, k: number): { srs: Srs; source: ProofFile['srs'] } {
  if (!path) return { srs: unsafeDevSrs(k, DEV_SRS_SEED), source: { kind: 'unsafe-dev', seed: DEV_SRS_SEED } };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`--srs: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let srs: Srs;
  try {
    srs = readHalo2Params(new Uint8Array(bytes));
  } catch (e) {
    throw new UsageError(`--srs: ${path} is not a halo2 params file (${(e as Error).message})`);
  }
  if (srs.k < k) throw new UsageError(`--srs: ${path} has k = ${srs.k}, the circuit needs k = ${k}`);
  return { srs: srs.k > k ? truncateSrs(srs, k) : srs, source: { kind: 'file', path } };
}

/** `--cache-dir DIR` (default .cache/keys), or no cache with `--no-cache`. */
export function keyCacheFrom(flags: ReadonlyMap<string, string | true>): KeyCache | undefined {
  if (flags.has('no-cache')) return undefined;
  const dir = flags.get('cache-dir');
  return new KeyCache(typeof dir === 'string' ? dir : DEFAULT_CACHE_DIR);
}

export interface KeySession {
  readonly kzg: KzgParams;
  readonly k: number;
  /** The cache key (hex), for display. */
  readonly key: string;
  readonly cache: KeyCache | undefined;
  /** Notes for stderr (stale or corrupt cache files). */
  readonly notes: string[];
}

export function keySession(model: CompiledModel, kzg: KzgParams, k: number, cache: KeyCache | undefined): KeySession {
  return { kzg, k, cache, notes: [], key: cacheKey({ ...model.identity, k, srs: hex(kzg.srsId) }) };
}

/** Keygen now, and store the keys when there is a cache. */
export function freshProvingKey(s: KeySession, model: CompiledModel): ProvingKey {
  const pk = keygen(new ModelCircuit(model.params), s.kzg, s.k);
  if (s.cache) {
    try {
      s.cache.store(s.key, 'pk', encodePk(pk));
      s.cache.store(s.key, 'vk', encodeVk(pk.vk));
    } catch (e) {
      s.notes.push(`cannot write the key cache in ${s.cache.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); continuing without it`);
    }
  }
  return pk;
}

/** The proving key from the cache, or from keygen (then cached). */
export function provingKey(s: KeySession, model: CompiledModel): { pk: ProvingKey; cached: boolean } {
  if (s.cache) {
    const hit = s.cache.load(s.key, 'pk', (b) => {
      const pk = decodePk(b, s.kzg);
      if (pk.vk.k !== s.k) {
        pk.free();
        throw new Error(`holds k = ${pk.vk.k}, expected ${s.k}`);
      }
      return pk;
    });
    if (hit.hit) return { pk: hit.value, cached: true };
    if (hit.note) s.notes.push(hit.note);
  }
  return { pk: freshProvingKey(s, model), cached: false };
}

/** The verifying key from the cache, or from keygen (then both keys are cached). */
export function verifyingKey(s: KeySession, model: CompiledModel): { vk: VerifyingKey; cached: boolean } {
  if (s.cache) {
    const hit = s.cache.load(s.key, 'vk', (b) => {
      const vk = decodeVk(b, s.kzg);
      if (vk.k !== s.k) throw new Error(`holds k = ${vk.k}, expected ${s.k}`);
      return vk;
    });
    if (hit.hit) return { vk: hit.value, cached: true };
    if (hit.note) s.notes.push(hit.note);
  }
  const pk = freshProvingKey(s, model);
  const vk = pk.vk;
  pk.free();
  return { vk, cached: false };
}
