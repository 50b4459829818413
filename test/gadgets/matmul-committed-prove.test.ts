/**
 * The committed-weights matmul through the real prover: the circuit proof
 * verifies, its published v and challenges (ρ, γ) feed the folded opening,
 * which accepts the committed B; a prover holding B′ ≠ B gets a circuit
 * proof that verifies but no opening that matches B's commitments; an
 * opening at another point is rejected. The same with a bias row
 * (B′ = [B; b] committed as one matrix): the proof verifies and opens against
 * [B; b], and fails against the commitments of [B; b₂] (another bias).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { commitMatrixRows, openFoldedRows, verifyFoldedOpening, type MatrixCommitment, type WeightMatrix } from '../../src/pcs/matrix-commit.js';
import { keygen, type ProvingKey } from '../../src/plonkish/backend/keygen.js';
import { prove } from '../../src/plonkish/backend/prover.js';
import { verifyDetailed } from '../../src/plonkish/backend/verifier.js';
import { Value } from '../../src/plonkish/frontend/index.js';
import { CommittedMatmulChip } from '../../src/gadgets/matmul-committed.js';
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

/** Prove with the weights `held` (a bias row when `bias`); returns the verified v, ρ, γ. */
function proveWith(held: FixedPointTensor, bias = false) {
  const key = bias ? pkBias : pk;
  const proof = prove(key, new GadgetCircuit(gadget(held, bias), [A]), [[]], params);
  const r = verifyDetailed(key.vk, proof, [[]], params.verifierParams());
  expect(r.reason).toBeUndefined();
  const index = (name: string) => key.vk.circuit.challenges.find((c) => c.name === name)!.index;
  const vColumn = key.vk.circuit.instance.find((c) => c.name === 'weights.v')!.index;
  return { v: r.instances![vColumn]![0]!, rho: r.challenges![index('freivalds.rho')]!, gamma: r.challenges![index('weights.gamma')]! };
}

describe('committed-weights matmul, real prover', () => {
  it('the circuit proof verifies and the folded opening of B at ρ matches the published v', () => {
    const { v, rho, gamma } = proveWith(B);
    const opening = openFoldedRows(params, [matrix(B)], gamma, rho);
    expect(opening.value).toBe(v);
    expect(verifyFoldedOpening(fingerprint, gamma, rho, opening, params.verifierParams())).toBe(true);
    expect(verifyFoldedOpening(fingerprint, gamma, Fr.add(rho, 1n), opening, params.verifierParams())).toBe(false);
    expect(verifyFoldedOpening(fingerprint, Fr.add(gamma, 1n), rho, opening, params.verifierParams())).toBe(false);
  });

  it('a prover holding B′ ≠ B: its circuit proof verifies, but neither opening passes against B’s fingerprint', () => {
    const { v, rho, gamma } = proveWith(B2);
    const honest = openFoldedRows(params, [matrix(B)], gamma, rho);
    expect(honest.value).not.toBe(v); // B's true opening does not match what the proof published
    const forged = openFoldedRows(params, [matrix(B2)], gamma, rho);
    expect(forged.value).toBe(v);
    expect(verifyFoldedOpening(fingerprint, gamma, rho, forged, params.verifierParams())).toBe(false);
  });

  it('a bias row: the proof verifies and opens against [B; b]; against the commitments of [B; b₂] (another bias) it fails', () => {
    const own = [commitMatrixRows(params, matrix(BB))];
    const other = [commitMatrixRows(params, matrix(BB2))];
    const { v, rho, gamma } = proveWith(BB, true);
    const opening = openFoldedRows(params, [matrix(BB)], gamma, rho);
    expect(opening.value).toBe(v);
    expect(verifyFoldedOpening(own, gamma, rho, opening, params.verifierParams())).toBe(true);
    expect(verifyFoldedOpening(other, gamma, rho, opening, params.verifierParams())).toBe(false);
    // the prover holding [B; b₂] against the verifier's [B; b]: its v is not B′'s, its own opening is not one of [B; b]
    const cheat = proveWith(BB2, true);
    expect(openFoldedRows(params, [matrix(BB)], cheat.gamma, cheat.rho).value).not.toBe(cheat.v);
    const forged = openFoldedRows(params, [matrix(BB2)], cheat.gamma, cheat.rho);
    expect(forged.value).toBe(cheat.v);
    expect(verifyFoldedOpening(own, cheat.gamma, cheat.rho, forged, params.verifierParams())).toBe(false);
  });
});
