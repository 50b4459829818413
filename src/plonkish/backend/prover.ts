/**
 * The prover, round by round (names as in the protocol); each argument's
 * rounds live in its module and share one `ProverState` (prover-state.ts):
 *  0. absorb the VK digest, the statement binding (if any) and the instances;
 *  1. advice rounds: for each phase, synthesize, blind, commit, draw its challenges;
 *  2. lookup multiplicities m (after θ; lookup.ts);
 *  3. lookup helpers h_g and accumulators φ (lookup.ts), permutation products
 *     z_j (permutation.ts) (after β, γ);
 *  4. vanishing: h = Σ y^i·C_i / Z_H committed in d − 1 blinded pieces (after y;
 *     vanishing.ts, quotient.ts);
 *  5. evaluations of every opened column at x·ω^r and of the h pieces at x;
 *  6. SHPLONK multi-opening.
 * Zero knowledge comes from random values in every committed column's rows
 * ≥ usableRows (the blinding rows), enough for the openings made, and from
 * the random b_i that mask the quotient's pieces (PLONK's split).
 */
import { Fr } from '../../field/index.js';
import { shplonkProve, type ProverOpening } from '../../pcs/shplonk.js';
import { configure, synthesizeWitness, type Circuit } from '../frontend/index.js';
import { extendedLog, type ProverParams } from './columns.js';
import { ProverError } from './errors.js';
import type { ProvingKey } from './keygen.js';
import { lookupCommitAccumulators, lookupCommitMultiplicities } from './lookup.js';
import { permutationCommit } from './permutation.js';
import { absorbBinding, absorbInstances, checkInstances, PROOF_MAGIC, PROOF_VERSION } from './proof.js';
import { checkLateEmpty, sendLateInstances } from './late-instances.js';
import { cryptoRandom, ProverState } from './prover-state.js';
import { TranscriptWriter, type TranscriptHash } from './transcript.js';
import { vanishingCommit, vanishingEvaluate } from './vanishing.js';

export { ProverError } from './errors.js';

export interface ProveOptions {
  readonly hash?: TranscriptHash;
  /** Source of blinding randomness (default: crypto.getRandomValues); a seeded one makes proofs reproducible (tests). */
  readonly random?: () => bigint;
  /** Called as each step starts (progress reports): step name, steps done, steps in all. */
  readonly onStep?: (step: string, done: number, total: number) => void;
  /**
   * Bytes of the statement that live outside the circuit and the instances
   * (e.g. the committed weights' fingerprint), absorbed right after the VK
   * digest so every challenge depends on them: the verifier must pass the
   * same bytes (`VerifyOptions.bind`). Absent: nothing is absorbed (proofs
   * byte-identical to those made before the option existed).
   */
  readonly bind?: Uint8Array;
  /**
   * Blinding rows chosen by the caller, by advice column index: the values
   * of rows usableRows … n − 1 (n − usableRows of them) instead of fresh
   * randomness. Two proofs that hold the same values in a column and give it
   * the same (random, secret) blinding commit to the same polynomial, so a
   * verifier can link them by comparing that commitment (models/chain.ts).
   * Each proof opens a column at its rotations; the blinding rows hide the
   * values as long as the openings of all linked proofs together stay below
   * the number of blinding rows (at least 4 here, 2 openings per link).
   */
  readonly blinding?: ReadonlyMap<number, readonly bigint[]>;
  /**
   * Advice columns whose committed polynomials (coefficients, blinding rows
   * included) the caller opens outside the proof (`ProveResult.advice`),
   * e.g. the committed weights' fold at row 0 (models/committed.ts).
   */
  readonly keepAdvice?: readonly number[];
}

/** `proveDetailed`'s result: the proof and what a caller opens outside the circuit at its challenges. */
export interface ProveResult {
  readonly proof: Uint8Array;
  /** Every instance column's values as the verifier will see them, the late ones (phase > 0) as the proof sends them. */
  readonly instances: readonly (readonly bigint[])[];
  /** The circuit's challenges by index, as drawn (e.g. ρ and γ for a folded weight opening). */
  readonly challenges: readonly bigint[];
  /** The coefficients of the columns `ProveOptions.keepAdvice` asked for, by advice column index. */
  readonly advice: ReadonlyMap<number, readonly bigint[]>;
}


/** `values` with rows from … n − 1 set to the caller's blinding (checked: one canonical element per blinding row). */
function withBlinding(values: bigint[], from: number, blinding: readonly bigint[], column: number): bigint[] {
  if (blinding.length !== values.length - from) {
    throw new ProverError(`prove: the blinding of advice column ${column} has ${blinding.length} values, expected ${values.length - from} (rows ${from} … ${values.length - 1})`);
  }
  blinding.forEach((b, i) => {
    if (typeof b !== 'bigint' || b < 0n || b >= Fr.p) throw new ProverError(`prove: blinding value ${i} of advice column ${column} is not a canonical field element`);
    values[from + i] = b;
  });
  return values;
}

export function prove<Config, Params>(
  pk: ProvingKey,
  circuit: Circuit<Config, Params>,
  instances: readonly (readonly bigint[])[],
  params: ProverParams,
  options: ProveOptions = {},
): Uint8Array {
  return proveDetailed(pk, circuit, instances, params, options).proof;
}

/**
 * `prove`, also returning the challenges and late instance values it used,
 * so a caller that opens something at them (models/committed.ts) needs no
 * verification of its own proof to learn them.
 */
export function proveDetailed<Config, Params>(
  pk: ProvingKey,
  circuit: Circuit<Config, Params>,
  instances: readonly (readonly bigint[])[],
  params: ProverParams,
  options: ProveOptions = {},
): ProveResult {
  const { arg, vk } = pk;
  const P = arg.circuit.numPhases;
  const totalSteps = P + 4 + (1 << extendedLog(arg));
  let stepsDone = 0;
  const step = (name: string) => options.onStep?.(name, stepsDone++, totalSteps);
  checkInstances(arg, instances);
  checkLateEmpty(arg.circuit, instances);
  const configured = configure(circuit);
  const transcript = new TranscriptWriter(options.hash ?? 'blake2b');
  const s = new ProverState(pk, params, transcript, options.random ?? cryptoRandom, instances);
  try {
    // 0. the statement
    transcript.commonScalar(vk.digest);
    absorbBinding(transcript, options.bind);
    absorbInstances(transcript, instances);
    const published = instances.map((col) => [...col]);

    // 1. advice rounds
    // the circuit's challenges, drawn phase by phase (unknown to the synthesis until drawn)
    const drawn: (bigint | undefined)[] = arg.circuit.challenges.map(() => undefined);
    for (let phase = 0; phase < P; phase++) {
      step(`advice phase ${phase}`);
      // copies: keygen recorded them (the layout does not depend on values); recording them again is ~10^6 objects per phase
      const a = synthesizeWitness(circuit, { k: arg.k, instances, phases: [phase as 0 | 1 | 2], challenges: drawn, configured: configured as never, copies: false });
      for (const col of arg.circuit.advice) {
        if (col.phase !== phase) continue;
        const values = a.advice[col.index];
        if (!values) throw new ProverError(`prove: advice column ${col.index} (phase ${phase}) was not assigned`);
        const shared = options.blinding?.get(col.index);
        s.setAdvice(col.index, s.F.fromBigints(shared ? withBlinding([...values], s.usableRows, shared, col.index) : s.blind([...values], s.usableRows)));
      }
      s.commitStage(phase);
      // late instance columns of this phase: sent (and absorbed) before its challenges (late-instances.ts)
      for (const late of sendLateInstances(transcript, arg.circuit, phase, a.instance)) {
        s.setInstance(late.index, late.values);
        published[late.index] = [...late.values];
      }
      for (const c of arg.circuit.challenges) if (c.phase === phase) drawn[c.index] = transcript.challenge();
    }
    const challenges = drawn.map((c, i) => {
      if (c === undefined) throw new ProverError(`prove: challenge ${i} was never drawn (its phase is past the circuit's last)`);
      return c;
    });

    // 2. lookup multiplicities
    step('lookup multiplicities');
    const theta = transcript.challenge();
    const compressed = lookupCommitMultiplicities(s, [...challenges, theta, 0n, 0n], theta);
    s.commitStage(P);

    // 3. lookup helpers and accumulators, permutation products
    step('lookup and permutation accumulators');
    const beta = transcript.challenge();
    const gamma = transcript.challenge();
    const all = [...challenges, theta, beta, gamma];
    lookupCommitAccumulators(s, compressed, beta);
    permutationCommit(s, beta, gamma);
    s.commitStage(P + 1);
    s.releaseAdviceValues();
    const kept = new Map<number, readonly bigint[]>();
    for (const col of options.keepAdvice ?? []) {
      if (!Number.isSafeInteger(col) || col < 0 || col >= arg.numAdvice) throw new ProverError(`prove: keepAdvice: expected advice column indices 0 … ${arg.numAdvice - 1}, got ${col}`);
      const c = s.storedCoeffs('advice', col).load();
      kept.set(col, c.toBigints());
      c.free();
    }

    // 4. vanishing argument
    const y = transcript.challenge();
    const E = 1 << extendedLog(arg);
    const pieces = vanishingCommit(s, y, all, (part) => step(`quotient part ${part + 1}/${E}`));

    // 5. evaluations: advice, fixed (those opened), then the quotient's pieces
    step('evaluations');
    const x = transcript.challenge();
    const omega = Fr.rootOfUnityOfOrder(arg.k);
    const openings: ProverOpening[] = [];
    const open = (id: string, kind: 'advice' | 'fixed', column: number, rotations: readonly number[]) => {
      if (!rotations.length) return;
      const poly = s.keep(s.storedCoeffs(kind, column).load());
      for (const r of rotations) {
        const point = Fr.mul(x, Fr.pow(omega, BigInt(((r % arg.n) + arg.n) % arg.n)));
        const value = params.ntt.evaluate(poly, point);
        transcript.writeScalar(value);
        openings.push({ id, poly, point, value });
      }
    };
    arg.adviceRotations.forEach((rotations, col) => open(`advice ${col}`, 'advice', col, rotations));
    arg.fixedRotations.forEach((rotations, col) => open(`fixed ${col}`, 'fixed', col, rotations));
    openings.push(...vanishingEvaluate(s, pieces, x));

    // 6. multi-opening
    step('multi-opening');
    shplonkProve(openings, params.ntt, (c) => params.commit(c), transcript);
    const body = transcript.finish();
    options.onStep?.('done', totalSteps, totalSteps);
    const out = new Uint8Array(8 + body.length);
    out.set(PROOF_MAGIC, 0);
    new DataView(out.buffer).setUint32(4, PROOF_VERSION, true);
    out.set(body, 8);
    return { proof: out, instances: published, challenges, advice: kept };
  } finally {
    s.free();
  }
}
