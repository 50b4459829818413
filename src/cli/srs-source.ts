/**
 * Where `setup` gets its SRS, and how an SRS is named.
 *
 *   --srs FILE        a snarkjs .ptau (a ceremony's: the trustworthy choice)
 *                     or halo2 params file, truncated to k, checked by
 *                     pairings with a random ρ, its Lagrange basis derived
 *                     when the file lacks it;
 *   (default)         a fresh SRS from OS randomness: a 32-byte seed from
 *                     crypto.getRandomValues gives τ, and both are dropped
 *                     when setup returns — sound as long as this one
 *                     machine was honest and its memory is not read;
 *   --unsafe-dev-srs  the well-known development SRS (τ derived from a
 *                     public seed: anyone can forge proofs over it).
 *
 * The SRS identity is the sha256 of its G2 points ([1]₂, [τ]₂): what a
 * verifier trusts, and what the verifying key's digest absorbs.
 */
import { Fr } from '../field/bn254.js';
import { G1_GENERATOR } from '../curve/g1.js';
import type { G2Affine } from '../curve/curve.js';
import { checkSrs, lagrangeBasisSrs, readHalo2Params, readPtau, type Srs, srsId, truncateSrs, unsafeDevSrs } from '../pcs/index.js';
import { readBytes } from './args.js';
import { RefusedError, UsageError } from './errors.js';
import { hex, sha256Hex } from './hash.js';

/** The seed of the well-known development SRS (`--unsafe-dev-srs`, `zktensor srs --k`). */
export const DEV_SRS_SEED = 'zktensor-cli-dev';
/** Seeds whose τ is public: the CLI's, and unsafeDevSrs's default. */
const PUBLIC_SEEDS: readonly (string | number)[] = [DEV_SRS_SEED, 0];

export type SrsKind = 'random' | 'file' | 'unsafe-dev';

export const srsIdentity = (p: { g2: G2Affine; sG2: G2Affine }): string => sha256Hex(srsId(p));

const sameG2 = (a: G2Affine, b: G2Affine) => (a === null || b === null ? a === b : a.x[0] === b.x[0] && a.x[1] === b.x[1] && a.y[0] === b.y[0] && a.y[1] === b.y[1]);

const devTauG2 = new Map<string | number, G2Affine>();
/** True when [τ]₂ is that of an SRS whose τ is public (a dev seed). */
export function isPublicTau(sG2: G2Affine): boolean {
  return PUBLIC_SEEDS.some((seed) => {
    let p = devTauG2.get(seed);
    if (p === undefined) devTauG2.set(seed, (p = unsafeDevSrs(0, seed).sG2)); // τ does not depend on k
    return sameG2(p, sG2);
  });
}

export interface SetupSrs {
  /** With its Lagrange basis (keygen and the prover commit Lagrange-form columns). */
  readonly srs: Srs;
  readonly kind: SrsKind;
  readonly file?: string;
  readonly identity: string;
  /** Printed on stderr: a warning or a note. */
  readonly notes: readonly string[];
}

function fromFile(path: string, k: number, allowDev: boolean): SetupSrs {
  const bytes = readBytes(path, '--srs');
  const isPtau = new TextDecoder().decode(bytes.subarray(0, 4)) === 'ptau';
  let full: Srs;
  try {
    full = isPtau ? readPtau(bytes) : readHalo2Params(bytes);
  } catch (e) {
    throw new UsageError(`--srs: ${path} is not a ${isPtau ? 'usable .ptau' : 'halo2 params'} file (${(e as Error).message})`);
  }
  if (full.k < k) throw new UsageError(`--srs: ${path} holds 2^${full.k} powers, the circuit needs k = ${k}`);
  const g0 = full.g1[0];
  if (!g0 || g0.x !== G1_GENERATOR!.x || g0.y !== G1_GENERATOR!.y) throw new UsageError(`--srs: ${path} does not start with the G1 generator ([τ^0]₁ = [1]₁)`);
  if (isPublicTau(full.sG2) && !allowDev) {
    throw new RefusedError(`--srs: ${path} is the well-known development SRS (its τ is public, so proofs over it can be forged); use a ceremony .ptau, or pass --unsafe-dev-srs for tests`);
  }
  const cut = full.k === k ? full : truncateSrs(full, k);
  // a random ρ: a fixed one could be anticipated by whoever made the file
  if (!checkSrs(cut, randomScalar())) throw new UsageError(`--srs: ${path} is not a consistent SRS (its powers are not of one τ)`);
  const srs = cut.g1Lagrange ? cut : { ...cut, g1Lagrange: lagrangeBasisSrs(cut) };
  return { srs, kind: 'file', file: path, identity: srsIdentity(srs), notes: [] };
}

function randomScalar(): bigint {
  return BigInt(`0x${hex(crypto.getRandomValues(new Uint8Array(48)))}`) % Fr.p;
}

/** The SRS `setup` uses (see the module comment). */
export function setupSrs(opts: { path?: string; unsafeDev: boolean; k: number }): SetupSrs {
  if (opts.path) return fromFile(opts.path, opts.k, opts.unsafeDev);
  if (opts.unsafeDev) {
    const srs = unsafeDevSrs(opts.k, DEV_SRS_SEED);
    return {
      srs,
      kind: 'unsafe-dev',
      identity: srsIdentity(srs),
      notes: ['WARNING: --unsafe-dev-srs: this SRS has a PUBLIC τ; anyone can forge proofs that verify against these keys. For tests only.'],
    };
  }
  // 32 bytes of OS randomness as the seed of τ; neither is stored or printed
  const seed = hex(crypto.getRandomValues(new Uint8Array(32)));
  const srs = unsafeDevSrs(opts.k, `random:${seed}`);
  return {
    srs,
    kind: 'random',
    identity: srsIdentity(srs),
    notes: ['note: generated an SRS from OS randomness and discarded τ; it is only as trustworthy as this machine. A ceremony .ptau (--srs FILE) is the trustworthy choice.'],
  };
}
