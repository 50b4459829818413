/**
 * The committed-weights matmul through the real prover: the circuit proof
 * verifies; its challenges (ρ, γ) and its fold column (v at row 0, never
 * published) feed the hidden-fold weight opening (V = v·G + t·H, C_γ − V
 * opened at ρ, the fold column opened at row 0), which accepts the committed
 * B; a prover holding B′ ≠ B gets a circuit proof that verifies but no
 * opening that matches B's commitments; ρ or γ moved, or the fold column's
 * opening at another row, are rejected. The same with a bias row
 * (B′ = [B; b] committed as one matrix): the proof verifies and opens against
 * [B; b], and fails against the commitments of [B; b₂] (another bias).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { commitMatrixRows, hiddenValue, openFoldedRowsMasked, openMasked, verifyFoldedMasked, verifyMasked, type MatrixCommitment, type WeightMatrix } from '../../src/pcs/matrix-commit.js';
import { checkWeightOpening, type WeightOpening } from '../../src/models/committed.js';
import { keygen, type ProvingKey } from '../../src/plonkish/backend/keygen.js';
import { proveDetailed } from '../../src/plonkish/backend/prover.js';
import { verifyDetailed } from '../../src/plonkish/backend/verifier.js';
import { Value } from '../../src/plonkish/frontend/index.js';
import { CommittedMatmulChip, FOLD_COLUMN } from '../../src/gadgets/matmul-committed.js';
import { tensor, type FixedPointTensor } from '../../src/gadgets/tensor.js';
import { type GadgetCase, GadgetCircuit } from './harness.js';

const [M, N, P] = [2, 4, 6];
const S = 8;
const K = 7;
const det = (len: number, a: number, b: number) => Array.from({ length: len }, (_, i) => ((i * a) % b) - (b >> 1));

const gadget = (b: FixedPointTensor | undefined, bias = false): GadgetCase<CommittedMatmulChip> => ({
  name: 'cmatmul',
  inputs: [{ name: 'A', shape: [M, N], scale: S }],
  configure: (ctx) => CommittedMatmulChip.configure(ctx),
  synthesize: (layouter, chip, [a]) => {
    const rows = bias ? N + 1 : N;
    const out = chip.assign(layouter, a!, { index: 0, rows, cols: P, scale: S, values: b ? Value.known(b.data) : Value.unknown(), ...(bias ? { bias } : {}) });
    chip.fold.finish(layouter);
    return [out];
  },
});

const B = tensor([N, P], det(N * P, 29, 400), S);
const B2 = tensor([N, P], [...B.data].map((x, i) => Number(i === 7 ? x - 3n : x)), S);
const A = tensor([M, N], det(M * N, 3, 50), S);
const matrix = (t: FixedPointTensor): WeightMatrix => ({ rows: t.shape[0]!, cols: P, values: Array.from(t.data) });
/** [B; b]: B′ with a bias row, and the same B with another bias. */
const BIAS = det(P, 11, 60);
const BB = tensor([N + 1, P], [...Array.from(B.data, Number), ...BIAS], S);
const BB2 = tensor([N + 1, P], [...Array.from(B.data, Number), ...BIAS.map((x, j) => (j === 4 ? x - 2 : x))], S);

let params: KzgParams;
let pk: ProvingKey;
let pkBias: ProvingKey;
let fingerprint: MatrixCommitment[];

beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(K + 1, 'matmul-committed-prove'));
  pk = keygen(new GadgetCircuit(gadget(undefined)), params, K);
  pkBias = keygen(new GadgetCircuit(gadget(undefined, true)), params, K);
  fingerprint = [commitMatrixRows(params, matrix(B))]; // the verifier's side: from the model's setup, never from the proof
});

/**
 * Prove with the weights `held` (a bias row when `bias`) and open them as
 * the model layer does (models/committed.ts): V hides the fold column's row
 * 0, C_γ − V opens at ρ, the column at row 0. Returns the verified result,
 * the opening, and v (for the test's eyes only).
 */
function proveWith(held: FixedPointTensor, bias = false) {
  const key = bias ? pkBias : pk;
  const fold = key.vk.circuit.advice.find((c) => c.name === FOLD_COLUMN)!.index;
  const p = proveDetailed(key, new GadgetCircuit(gadget(held, bias), [A]), [], params, { keepAdvice: [fold] });
  const r = verifyDetailed(key.vk, p.proof, [], params.verifierParams());
  expect(r.reason).toBeUndefined();
  const index = (name: string) => key.vk.circuit.challenges.find((c) => c.name === name)!.index;
  const rho = r.challenges![index('freivalds.rho')]!;
  const gamma = r.challenges![index('weights.gamma')]!;
  const t = 0x5eedn;
  const weights = openFoldedRowsMasked(params, [matrix(held)], gamma, rho, t);
  const column = params.ntt.F.fromBigints([...p.advice.get(fold)!]);
  const foldOpening = openMasked(params, column, 1n, { commitmentBlind: 0n, valueBlind: t });
  column.free();
  const opening: WeightOpening = { value: hiddenValue(params.srs.g1[0]!, foldOpening.value, t), weights: weights.opening, fold: foldOpening.opening };
  return { key, r, rho, gamma, opening, v: foldOpening.value, foldCommitment: r.adviceCommitments![fold]! };
}

describe('committed-weights matmul, real prover', () => {
  it('the circuit proof verifies; C_γ and the fold column open to the one hidden value; ρ, γ or the row moved are rejected', () => {
    const vp = params.verifierParams();
    const { key, r, rho, gamma, opening, foldCommitment } = proveWith(B);
    expect(checkWeightOpening(key.vk.circuit, r, opening, fingerprint, vp)).toBeUndefined();
    expect(verifyFoldedMasked(fingerprint, gamma, Fr.add(rho, 1n), opening.value, opening.weights, vp)).toBe(false);
    expect(verifyFoldedMasked(fingerprint, Fr.add(gamma, 1n), rho, opening.value, opening.weights, vp)).toBe(false);
    // the fold column opened at another row (ω ≠ 1) is not the fold
    expect(verifyMasked(foldCommitment, Fr.rootOfUnityOfOrder(K), opening.value, opening.fold, vp)).toBe(false);
    // challenges of another proof: rejected
    const other = proveWith(B);
    expect(checkWeightOpening(key.vk.circuit, other.r, opening, fingerprint, vp)).toMatch(/^weights:/);
  });

  it('a prover holding B′ ≠ B: its circuit proof verifies, but its opening fails against B’s fingerprint', () => {
    const vp = params.verifierParams();
    const { key, r, opening, v, rho, gamma } = proveWith(B2);
    expect(checkWeightOpening(key.vk.circuit, r, opening, fingerprint, vp)).toMatch(/folded opening does not match/);
    // B's true fold differs from the v the proof holds
    expect(openFoldedRowsMasked(params, [matrix(B)], gamma, rho, 0n).value).not.toBe(v);
  });

  it('a bias row: the proof opens against [B; b]; against the commitments of [B; b₂] (another bias) it fails', () => {
    const vp = params.verifierParams();
    const own = [commitMatrixRows(params, matrix(BB))];
    const other = [commitMatrixRows(params, matrix(BB2))];
    const honest = proveWith(BB, true);
    expect(checkWeightOpening(honest.key.vk.circuit, honest.r, honest.opening, own, vp)).toBeUndefined();
    expect(checkWeightOpening(honest.key.vk.circuit, honest.r, honest.opening, other, vp)).toMatch(/folded opening does not match/);
    // the prover holding [B; b₂] against the verifier's [B; b]
    const cheat = proveWith(BB2, true);
    expect(checkWeightOpening(cheat.key.vk.circuit, cheat.r, cheat.opening, own, vp)).toMatch(/folded opening does not match/);
    expect(checkWeightOpening(cheat.key.vk.circuit, cheat.r, cheat.opening, other, vp)).toBeUndefined();
  });
});
