/**
 * The SRS and the keys for a compiled model: load the SRS (dev or a halo2
 * params file), then take the proving / verifying key from the cache
 * (key-cache.ts) or run keygen and store both.
 *
 * Keygen and the prover commit Lagrange-form columns with the Lagrange-basis
 * SRS [L_i(τ)]₁, a derivation of (n/2)·log n scalar multiplications; with
 * a cache, the dev SRS and its Lagrange basis are stored as a halo2 params
 * file (`<key>.srs`, keyed by seed and k; an imported SRS lacking the basis:
 * keyed by its points) and checked on load: Σ L_i(τ) = [1]₁ and
 * Σ ω^i·L_i(τ) = [τ]₁ (two MSMs).
 */
import { readFileSync } from 'node:fs';
import { ModelCircuit } from '../models/index.js';
import { keygen, type ProvingKey } from '../plonkish/backend/keygen.js';
import { decodePk, encodePk } from '../plonkish/backend/pk.js';
import { decodeVk, encodeVk, type VerifyingKey } from '../plonkish/backend/vk.js';
import { KzgParams, unsafeDevSrs } from '../pcs/kzg.js';
import { Fr } from '../field/bn254.js';
import { lagrangeBasisSrs } from '../pcs/lagrange-srs.js';
import { readHalo2Params, readPtau, type Srs, truncateSrs, writeHalo2Params } from '../pcs/srs.js';
import type { AffinePoint } from '../curve/types.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DEFAULT_CACHE_DIR, hex, KeyCache, cacheKey } from './key-cache.js';
import type { CompiledModel } from './model-source.js';
import { type ProofFile, UsageError } from './proof-file.js';

export const DEV_SRS_SEED = 'zktensor-cli-dev';

/**
 * KZG params for `--srs PATH` (a halo2 params or snarkjs .ptau file, truncated to k), or the
 * unsafe dev SRS: with a cache, the dev SRS and its Lagrange basis come
 * from `<cache>/<key>.srs` (checked), else they are made and stored there.
 */
export function loadSrs(path: string | undefined, k: number, cache?: KeyCache, notes: string[] = []): { kzg: KzgParams; source: ProofFile['srs'] } {
  if (!path) {
    const source = { kind: 'unsafe-dev', seed: DEV_SRS_SEED } as const;
    return { kzg: cache ? cachedDevSrs(k, cache, notes) : new KzgParams(unsafeDevSrs(k, DEV_SRS_SEED)), source };
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`--srs: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let srs: Srs;
  const isPtau = new TextDecoder().decode(bytes.subarray(0, 4)) === 'ptau';
  try {
    srs = isPtau ? readPtau(new Uint8Array(bytes)) : readHalo2Params(new Uint8Array(bytes));
  } catch (e) {
    throw new UsageError(`--srs: ${path} is not a ${isPtau ? 'usable .ptau' : 'halo2 params'} file (${(e as Error).message})`);
  }
  if (srs.k < k) throw new UsageError(`--srs: ${path} has k = ${srs.k}, the circuit needs k = ${k}`);
  return { kzg: new KzgParams(srs.k > k ? truncateSrs(srs, k) : srs), source: { kind: 'file', path } };
}

function storeSrs(cache: KeyCache, key: string, srs: Srs, notes: string[]): void {
  try {
    cache.store(key, 'srs', writeHalo2Params(srs));
  } catch (e) {
    notes.push(`cannot write the key cache in ${cache.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** KZG params over `srs` (which carries Lagrange points), after checking those points; throws when they are wrong. */
function checkedKzg(srs: Srs): KzgParams {
  const kzg = new KzgParams(srs);
  if (!lagrangeConsistent(kzg)) {
    kzg.free();
    throw new Error('its Lagrange points are not the basis of its SRS');
  }
  return kzg;
}

function cachedDevSrs(k: number, cache: KeyCache, notes: string[]): KzgParams {
  const key = cacheKey({ devSrs: DEV_SRS_SEED, k });
  const hit = cache.load(key, 'srs', (b) => {
    const got = readHalo2Params(b);
    if (got.k !== k || !got.g1Lagrange) throw new Error(`expected k = ${k} with the Lagrange basis`);
    return checkedKzg(got);
  });
  if (hit.hit) return hit.value;
  if (hit.note) notes.push(hit.note);
  const srs = unsafeDevSrs(k, DEV_SRS_SEED);
  const full = srs.g1Lagrange ? srs : { ...srs, g1Lagrange: lagrangeBasisSrs(srs) };
  storeSrs(cache, key, full, notes);
  return new KzgParams(full);
}

/** sha256 of an SRS's monomial points (what its Lagrange basis is derived from). */
function srsPointsHash(srs: Srs): string {
  const h = sha256.create();
  const put = (p: AffinePoint) => h.update(new TextEncoder().encode(p ? `${p.x.toString(16)},${p.y.toString(16)};` : 'inf;'));
  h.update(new TextEncoder().encode(`k=${srs.k};`));
  srs.g1.forEach(put);
  h.update(new TextEncoder().encode(JSON.stringify([srs.g2, srs.sG2], (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))));
  return hex(h.digest());
}

const samePoint = (a: AffinePoint, b: AffinePoint) => (a === null || b === null ? a === b : a.x === b.x && a.y === b.y);

/**
 * Σ L_i(τ)·1 = [1]₁ and Σ L_i(τ)·ω^i = [τ]₁ (the Lagrange forms of 1 and X,
 * committed with the packed MSM the prover uses): `kzg`'s Lagrange points
 * are its SRS's basis.
 */
function lagrangeConsistent(kzg: KzgParams): boolean {
  const { k, g1 } = kzg.srs;
  const F = kzg.ntt.F;
  const omega = Fr.rootOfUnityOfOrder(k);
  const powers: bigint[] = [1n];
  for (let i = 1; i < 2 ** k; i++) powers.push(Fr.mul(powers[i - 1]!, omega));
  const commit = (values: bigint[]) => {
    const v = F.fromBigints(values);
    try {
      return kzg.commitLagrange(v);
    } finally {
      v.free();
    }
  };
  return samePoint(commit(powers.map(() => 1n)), g1[0]!) && (k === 0 || samePoint(commit(powers), g1[1]!));
}

/**
 * KZG params over `srs` with its Lagrange basis: the SRS's own, the
 * cache's (checked), or derived now (then cached).
 */
export function withLagrangeBasis(srs: Srs, cache: KeyCache | undefined, notes: string[]): KzgParams {
  if (srs.g1Lagrange || !cache) return new KzgParams(srs);
  const key = cacheKey({ lagrangeBasis: true, srs: srsPointsHash(srs) });
  const hit = cache.load(key, 'srs', (b) => {
    const got = readHalo2Params(b);
    if (got.k !== srs.k || !got.g1Lagrange) throw new Error(`expected the Lagrange basis for k = ${srs.k}`);
    if (srsPointsHash({ k: got.k, g1: got.g1, g2: got.g2, sG2: got.sG2 }) !== srsPointsHash(srs)) throw new Error('holds another SRS');
    return checkedKzg({ ...srs, g1Lagrange: got.g1Lagrange });
  });
  if (hit.hit) return hit.value;
  if (hit.note) notes.push(hit.note);
  const full = { ...srs, g1Lagrange: lagrangeBasisSrs(srs) };
  storeSrs(cache, key, full, notes);
  return new KzgParams(full);
}

/** `--cache-dir DIR` (default .cache/keys), or no cache with `--no-cache`. */
export function keyCacheFrom(flags: ReadonlyMap<string, string | true>): KeyCache | undefined {
  if (flags.has('no-cache')) return undefined;
  const dir = flags.get('cache-dir');
  return new KeyCache(typeof dir === 'string' ? dir : DEFAULT_CACHE_DIR);
}

/**
 * The SRS, key cache and cache key of one circuit. `params()` holds the SRS
 * as loaded (enough to decode or check keys); `proverParams()` adds the
 * Lagrange basis where the SRS lacks it (keygen and proving need it), from
 * the cache when it can.
 */
export class KeySession {
  readonly key: string;
  private lagrange: boolean;

  constructor(
    model: CompiledModel,
    private kzg: KzgParams,
    readonly k: number,
    readonly cache: KeyCache | undefined,
    /** Notes for stderr (stale or corrupt cache files). */
    readonly notes: string[] = [],
  ) {
    this.lagrange = !!kzg.srs.g1Lagrange;
    this.key = cacheKey({ ...model.identity, k, srs: hex(kzg.srsId) });
  }

  params(): KzgParams {
    return this.kzg;
  }

  proverParams(): KzgParams {
    if (!this.lagrange) {
      const next = withLagrangeBasis(this.kzg.srs, this.cache, this.notes);
      this.kzg.free();
      this.kzg = next;
      this.lagrange = true;
    }
    return this.kzg;
  }

  free(): void {
    this.kzg.free();
  }
}

/** keygen's and prove's `onStep` option. */
export type OnStep = (step: string, done: number, total: number) => void;

/** Keygen now, and store the keys when there is a cache. */
export function freshProvingKey(s: KeySession, model: CompiledModel, onStep?: OnStep): ProvingKey {
  const pk = keygen(new ModelCircuit(model.params), s.proverParams(), s.k, { onStep });
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
export function provingKey(s: KeySession, model: CompiledModel, onStep?: OnStep): { pk: ProvingKey; cached: boolean } {
  if (s.cache) {
    const hit = s.cache.load(s.key, 'pk', (b) => {
      const pk = decodePk(b, s.proverParams());
      if (pk.vk.k !== s.k) {
        pk.free();
        throw new Error(`holds k = ${pk.vk.k}, expected ${s.k}`);
      }
      return pk;
    });
    if (hit.hit) return { pk: hit.value, cached: true };
    if (hit.note) s.notes.push(hit.note);
  }
  return { pk: freshProvingKey(s, model, onStep), cached: false };
}

/** The verifying key from the cache, or from keygen (then both keys are cached). */
export function verifyingKey(s: KeySession, model: CompiledModel, onStep?: OnStep): { vk: VerifyingKey; cached: boolean } {
  if (s.cache) {
    const hit = s.cache.load(s.key, 'vk', (b) => {
      const vk = decodeVk(b, s.params());
      if (vk.k !== s.k) throw new Error(`holds k = ${vk.k}, expected ${s.k}`);
      return vk;
    });
    if (hit.hit) return { vk: hit.value, cached: true };
    if (hit.note) s.notes.push(hit.note);
  }
  const pk = freshProvingKey(s, model, onStep);
  const vk = pk.vk;
  pk.free();
  return { vk, cached: false };
}
