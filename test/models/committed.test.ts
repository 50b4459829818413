/**
 * Weights visibility `committed` on gpt2-tiny: the matmuls with weight B use
 * the committed-weights chip (B never in the circuit), the MockProver accepts
 * and the outputs equal the quantized evaluator; the matmul rows drop by the
 * n·p Horner rows; the real prover with the folded opening verifies against
 * the fingerprint; a prover holding other matmul weights, a changed opening
 * and mismatched commitments are rejected. Hiding commitments (the default):
 * the proof verifies against them and not against other weights' hiding
 * commitments or the same weights under other blinds; binding-only ones
 * verify too, and a proof of one kind is rejected by a verifier holding the
 * other (its own record decides, never the proof). The fold v never leaves
 * the prover: no instance carries it, its bytes appear nowhere in the proof
 * or the opening, and V differs between two proofs of the same statement;
 * a changed V, swapped openings and a prover with other blinds are rejected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import {
  commitModelWeights,
  type CommittedProof,
  committedMatrices,
  decodeWeightOpening,
  encodeWeightOpening,
  proveCommitted,
  verifyCommitted,
  type ModelWeightCommitment,
  type ModelWeightSecrets,
} from '../../src/models/committed.js';
import { foldRowValues, matrixFingerprint, rowEvaluations } from '../../src/pcs/matrix-commit.js';
import { g1Add } from '../../src/curve/g1.js';
import type { VerifyingKey } from '../../src/plonkish/backend/vk.js';
import { withCommittedMatmuls } from '../../src/models/committed-graph.js';
import { committedWeightNames, compileModel, encodeText, getPreset, ModelCircuit, type ModelCircuitParams, modelRows, presetGraph, presetQuant, publicInstances, QuantEvaluator, QuantizedWeights } from '../../src/models/index.js';
import { keygen, type ProvingKey } from '../../src/plonkish/backend/keygen.js';
import { verifyDetailed } from '../../src/plonkish/backend/verifier.js';
import { MockProver } from '../../src/plonkish/frontend/index.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';

const pre = getPreset('gpt2-tiny');
const quant = presetQuant(pre);
const graph = presetGraph(pre, 4);
const tokens = encodeText(pre, 'the ');
const compile = (weights: 'fixed' | 'committed') => compileModel(graph, quant, { visibility: { weights }, fixedColumns: pre.fixedColumns });

/** B′: the prover's copy of one committed matrix with one entry changed (all other weights, so the VK, unchanged). */
class TamperedWeights extends QuantizedWeights {
  constructor(
    base: ModelCircuitParams,
    private readonly target: string,
  ) {
    super(base.graph, base.quant.scale);
  }
  override get(name: string): BigInt64Array {
    const w = super.get(name);
    if (name !== this.target) return w;
    const out = w.slice();
    out[3] = out[3]! + 1n;
    return out;
  }
}

function witness(p: ModelCircuitParams) {
  // the circuit computes the rewritten graph (biases in their matrices, LayerNorm γ/β folded into the matmuls)
  const q = new QuantEvaluator(p.graph, quant, p.weights);
  const qin = q.quantizeInputs({ tokens });
  const values = q.run(qin);
  return { circuit: new ModelCircuit(p, qin), instances: publicInstances(p, values), values };
}

describe('weights = committed (gpt2-tiny)', () => {
  it('every matmul with weight B becomes committed; MockProver accepts; outputs equal the evaluator; the fold is not published', () => {
    const p = compile('committed');
    const names = committedWeightNames(p);
    expect(names.length).toBeGreaterThan(0);
    // GPT-2's matmuls all multiply by a weight or by wteᵀ (lm_head): all become committed
    expect(p.graph.nodes.filter((n) => n.op === 'matmul_committed').length).toBe(graph.nodes.filter((n) => n.op === 'matmul').length);
    expect(p.graph.nodes.some((n) => n.op === 'transpose' && n.inputs[0] === 'wte')).toBe(false);
    const { circuit, instances, values } = witness(p);
    // one instance column (the public values): the fold has none
    expect(instances).toHaveLength(1);
    const mock = MockProver.run(12, circuit, instances);
    expect(mock.verify().slice(0, 3).map((f) => f.message)).toEqual([]);
    expect(circuit.outputs.get('lm_head')!.values.get()).toEqual(values.get('lm_head')!.data);
  });

  it('the committed transpose wteᵀ (lm_head without the LayerNorm fold) is the transpose of the quantized wte, with the caller’s weights or without', () => {
    const own = withCommittedMatmuls(graph, new QuantizedWeights(graph, quant.scale), { foldLayerNorm: false });
    const plain = withCommittedMatmuls(graph, undefined, { foldLayerNorm: false }).graph;
    const [V, D] = graph.weights.find((w) => w.name === 'wte')!.shape as [number, number];
    const wte = new QuantizedWeights(graph, quant.scale).get('wte');
    const expected = BigInt64Array.from({ length: V * D }, (_, k) => wte[(k % V) * D + Math.floor(k / V)]!);
    expect(own.weights!.get('wteᵀ')).toEqual(expected);
    expect(new QuantizedWeights(plain, quant.scale).get('wteᵀ')).toEqual(expected);
    expect(plain.weights.find((w) => w.name === 'wteᵀ')!.shape).toEqual([D, V]);
  });

  it('rows by op: the matmul rows lose the n·p Horner rows over B; the embedding its V·D table', () => {
    const fixedP = compile('fixed');
    const fixed = modelRows(fixedP).byOp;
    const rows = modelRows(compile('committed'));
    const committed = rows.byOp;
    const p = compile('committed');
    // lm_head's B = wteᵀ is committed too (ln_f's γ/β folded in: "ln_f∘wteᵀ"): no matmul is left on the fixed-weights chip
    expect(committedWeightNames(p)).toEqual(expect.arrayContaining(['wte', 'ln_f∘wteᵀ']));
    expect(committed.matmul).toBeUndefined();
    // A m × n, committed B′ k × q (k = n + 1 with a bias row): n·q + m·q + m·n rows → m·q + m·k + 2k
    const saved = p.graph.nodes
      .filter((n) => n.op === 'matmul_committed')
      .reduce((a, n) => {
        const [m, cols] = p.info.get(n.inputs[0]!)!.shape as [number, number];
        const [k, q] = p.info.get(n.inputs[1]!)!.shape as [number, number];
        return a + cols * q - 2 * k - m * (k - cols);
      }, 0);
    expect(fixed.matmul! - committed.cmatmul!).toBe(saved);
    const [V, D] = graph.weights.find((w) => w.name === 'wte')!.shape as [number, number];
    expect(committed.gather).toBeUndefined();
    expect(committed.cgather).toBe(4 * D + 2 * V);
    expect(rows.tables).toBeLessThan(modelRows(fixedP).tables + 1);
    expect(committed.load).toBeLessThan(fixed.load!);
  });
});

describe('weights = committed, real prover (gpt2-tiny)', () => {
  let params: KzgParams;
  let pk: ProvingKey;
  let p: ModelCircuitParams;
  let weights: ModelWeightCommitment;
  let secrets: ModelWeightSecrets;
  let honest: CommittedProof; // the hiding proof of the first test, reused by later ones
  const K = 11;

  beforeAll(() => {
    params = new KzgParams(unsafeDevSrs(K, 'committed-model'));
    p = compile('committed');
    pk = keygen(new ModelCircuit(p), params, K);
    const c = commitModelWeights(params, p);
    weights = c.commitment;
    secrets = c.secrets!;
  });

  /** ρ and γ as the verifier derives them for `proof` bound to `fingerprint`. */
  function challenges(vk: VerifyingKey, proof: Uint8Array, instances: bigint[][], fingerprint: Uint8Array): { rho: bigint; gamma: bigint } {
    const r = verifyDetailed(vk, proof, instances, params.verifierParams(), { bind: fingerprint });
    const at = (name: string) => r.challenges![vk.circuit.challenges.find((c) => c.name === name)!.index]!;
    return { rho: at('freivalds.rho'), gamma: at('weights.gamma') };
  }

  /** v = Σ γ^i·(B·r)_i of the honest weights at the proof's challenges: what the proof must keep hidden. */
  function foldOf(proof: Uint8Array, instances: bigint[][], fingerprint: Uint8Array): bigint {
    const c = challenges(pk.vk, proof, instances, fingerprint);
    return foldRowValues(committedMatrices(p).flatMap((m) => rowEvaluations(m, c.rho)), c.gamma);
  }

  const le32 = (x: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
  const be32 = (x: bigint) => le32(x).reverse();
  const contains = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;

  it('proves and verifies (hiding by default) without revealing the fold; a changed V or swapped openings are rejected', () => {
    expect(weights.hiding).toBe(true);
    expect(secrets.blinds.map((b) => b.length)).toEqual(weights.matrices.map((m) => m.rows));
    const { circuit, instances } = witness(p);
    const proof = proveCommitted(pk, circuit, instances, params, weights, { secrets });
    honest = proof;
    const vp = params.verifierParams();
    // proveCommitted does not verify its own proof: the opening at the challenges it returns verifies here
    expect(verifyCommitted(pk.vk, proof, instances, vp, weights, p)).toMatchObject({ ok: true });
    const bytes = encodeWeightOpening(proof.opening);
    expect(bytes).toHaveLength(352);
    expect(decodeWeightOpening(bytes)).toEqual(proof.opening);
    // v, the one linear combination of the weights a proof used to publish, is in neither the proof nor the opening
    const v = foldOf(proof.proof, instances, weights.fingerprint);
    for (const enc of [le32(v), be32(v)]) {
      expect(contains(proof.proof, enc)).toBe(false);
      expect(contains(bytes, enc)).toBe(false);
    }
    expect(pk.vk.circuit.instance.some((c) => c.name === 'weights.v')).toBe(false);
    // V hides v (a fresh t per proof): two proofs of the same statement carry different V
    const again = proveCommitted(pk, circuit, instances, params, weights, { secrets });
    expect(again.opening.value).not.toEqual(proof.opening.value);
    expect(verifyCommitted(pk.vk, again, instances, vp, weights, p)).toMatchObject({ ok: true });
    // a changed V, or the two openings swapped, or one proof's openings under another's V
    const shifted = { ...proof, opening: { ...proof.opening, value: g1Add(proof.opening.value, params.srs.g1[0]!) } };
    expect(verifyCommitted(pk.vk, shifted, instances, vp, weights, p)).toMatchObject({ ok: false, reason: expect.stringMatching(/^weights: the folded opening does not match/) });
    const swappedOpenings = { ...proof, opening: { ...proof.opening, weights: proof.opening.fold, fold: proof.opening.weights } };
    expect(verifyCommitted(pk.vk, swappedOpenings, instances, vp, weights, p).ok).toBe(false);
    const mixedV = { ...proof, opening: { ...proof.opening, value: again.opening.value } };
    expect(verifyCommitted(pk.vk, mixedV, instances, vp, weights, p).ok).toBe(false);
    // the fold column's opening of another proof (same statement, other blinding): rejected at the fold
    const otherFold = { ...proof, opening: { ...proof.opening, fold: again.opening.fold } };
    expect(verifyCommitted(pk.vk, otherFold, instances, vp, weights, p)).toMatchObject({ ok: false, reason: expect.stringMatching(/circuit’s fold does not open/) });
    const swapped = { ...weights, matrices: [...weights.matrices].reverse() };
    expect(verifyCommitted(pk.vk, proof, instances, vp, swapped, p).ok).toBe(false);
    // bad bytes are typed errors
    expect(() => decodeWeightOpening(bytes.subarray(1))).toThrow(/expected 352 bytes/);
    // hiding commitments need the secrets, of the right shape, before any proving work
    expect(() => proveCommitted(pk, circuit, instances, params, weights)).toThrow(/hiding: expected the prover’s secrets/);
    expect(() => proveCommitted(pk, circuit, instances, params, weights, { secrets: { blinds: secrets.blinds.slice(1) } })).toThrow(/expected blinding scalars for \d+ matrices/);
  });

  it('hiding: other weights’ commitments, the same weights under other blinds, or a prover with other blinds are rejected', () => {
    const { circuit, instances } = witness(p);
    const vp = params.verifierParams();
    const target = committedWeightNames(p).find((n) => !n.startsWith('wte'))!;
    const otherWeights = commitModelWeights(params, { ...p, weights: new TamperedWeights(p, target) }).commitment;
    const reblinded = commitModelWeights(params, p);
    for (const other of [otherWeights, reblinded.commitment]) {
      expect(other.fingerprint).not.toEqual(weights.fingerprint);
      const r = verifyCommitted(pk.vk, honest, instances, vp, other, p);
      expect(r.ok).toBe(false);
      // the circuit proof is bound to the verifier's fingerprint: rejected before the opening
      expect(r.reason).not.toMatch(/^weights:/);
    }
    // the right weights and fingerprint but the blinds of another commitment: only the weights' opening can tell, and does
    const mixed = proveCommitted(pk, circuit, instances, params, weights, { secrets: reblinded.secrets! });
    expect(verifyCommitted(pk.vk, mixed, instances, vp, weights, p)).toMatchObject({ ok: false, reason: expect.stringMatching(/folded opening does not match/) });
  });

  it('binding-only commitments verify with the same hidden-fold opening; a proof of one kind is rejected by the other verifier', () => {
    const { circuit, instances } = witness(p);
    const vp = params.verifierParams();
    const c = commitModelWeights(params, p, { hiding: false });
    const binding = c.commitment;
    expect(c.secrets).toBeUndefined();
    expect(binding.hiding).toBe(false);
    // the kind is covered by the fingerprint
    expect(binding.fingerprint).toEqual(matrixFingerprint(binding.matrices));
    expect(binding.fingerprint).not.toEqual(matrixFingerprint(binding.matrices, { hiding: true }));
    expect(() => proveCommitted(pk, circuit, instances, params, binding, { secrets })).toThrow(/binding only: expected no secrets/);
    const proof = proveCommitted(pk, circuit, instances, params, binding);
    expect(encodeWeightOpening(proof.opening)).toHaveLength(352);
    expect(verifyCommitted(pk.vk, proof, instances, vp, binding, p)).toMatchObject({ ok: true });
    // across kinds: each proof is rejected by the other verifier
    expect(verifyCommitted(pk.vk, proof, instances, vp, weights, p).ok).toBe(false);
    expect(verifyCommitted(pk.vk, honest, instances, vp, binding, p).ok).toBe(false);
    // the same points relabelled binding: another fingerprint, so the hiding proof is rejected
    expect(verifyCommitted(pk.vk, honest, instances, vp, { ...weights, hiding: false }, p).ok).toBe(false);
    // the binding proof's openings inside the hiding proof (and back): rejected
    expect(verifyCommitted(pk.vk, { ...honest, opening: proof.opening }, instances, vp, weights, p).ok).toBe(false);
    expect(verifyCommitted(pk.vk, { ...proof, opening: honest.opening }, instances, vp, binding, p).ok).toBe(false);
  });

  it('a prover holding other matmul weights (same VK) gets a verifying circuit proof but fails the fingerprint', () => {
    // a matmul weight (wte also feeds wteᵀ: tampering it would change the claimed outputs two ways)
    const target = committedWeightNames(p).find((n) => !n.startsWith('wte'))!;
    const cheat: ModelCircuitParams = { ...p, weights: new TamperedWeights(p, target) };
    const { circuit, instances } = witness(cheat);
    const proof = proveCommitted(pk, circuit, instances, params, weights, { secrets });
    const r = verifyCommitted(pk.vk, proof, instances, params.verifierParams(), weights, p);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/folded opening does not match the committed weights/);
  });

  it('the circuit proof is bound to the weight fingerprint: a proof bound to another fingerprint is rejected before the opening', () => {
    const { circuit, instances } = witness(p);
    const vp = params.verifierParams();
    const other = Uint8Array.from(weights.fingerprint, (b, i) => (i === 0 ? b ^ 1 : b));
    // the prover binds a fingerprint other than the verifier's commitments' (the honest opening alone cannot save it)
    const wrong = proveCommitted(pk, circuit, instances, params, { fingerprint: other }, { secrets });
    const r = verifyCommitted(pk.vk, wrong, instances, vp, weights, p);
    expect(r.ok).toBe(false);
    expect(r.reason).not.toMatch(/^weights:/);
    // the backend view: bound to X, rejected bound to Y and unbound; accepted bound to X
    expect(verifyDetailed(pk.vk, wrong.proof, instances, vp, { bind: other }).ok).toBe(true);
    expect(verifyDetailed(pk.vk, wrong.proof, instances, vp, { bind: weights.fingerprint }).ok).toBe(false);
    expect(verifyDetailed(pk.vk, wrong.proof, instances, vp).ok).toBe(false);
  });
});
