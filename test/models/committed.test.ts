/**
 * Weights visibility `committed` on gpt2-tiny: the matmuls with weight B use
 * the committed-weights chip (B never in the circuit), the MockProver accepts
 * and the outputs equal the quantized evaluator; the matmul rows drop by the
 * n·p Horner rows; the real prover with the folded opening verifies against
 * the fingerprint; a prover holding other matmul weights, a changed opening
 * and mismatched commitments are rejected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import {
  commitModelWeights,
  decodeFoldedOpening,
  encodeFoldedOpening,
  proveCommitted,
  verifyCommitted,
  type ModelWeightCommitment,
} from '../../src/models/committed.js';
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
  const q = new QuantEvaluator(graph, quant, p.weights);
  const qin = q.quantizeInputs({ tokens });
  const values = q.run(qin);
  return { circuit: new ModelCircuit(p, qin), instances: publicInstances(p, values), values };
}

describe('weights = committed (gpt2-tiny)', () => {
  it('every matmul with weight B becomes committed; MockProver accepts; outputs equal the evaluator; the fold is published', () => {
    const p = compile('committed');
    const names = committedWeightNames(p);
    expect(names.length).toBeGreaterThan(0);
    // GPT-2's matmuls all multiply by a weight or by wteᵀ (lm_head): all become committed
    expect(p.graph.nodes.filter((n) => n.op === 'matmul_committed').length).toBe(graph.nodes.filter((n) => n.op === 'matmul').length);
    expect(p.graph.nodes.some((n) => n.op === 'transpose' && n.inputs[0] === 'wte')).toBe(false);
    const { circuit, instances, values } = witness(p);
    expect(instances).toHaveLength(2);
    expect(instances[1]).toEqual([]);
    const mock = MockProver.run(12, circuit, instances);
    expect(mock.verify().slice(0, 3).map((f) => f.message)).toEqual([]);
    expect(circuit.outputs.get('lm_head')!.values.get()).toEqual(values.get('lm_head')!.data);
    expect(mock.lateInstances()[1]).toHaveLength(1);
  });

  it('the committed transpose wteᵀ is the transpose of the quantized wte, with the caller’s weights or without', () => {
    const own = compileModel(graph, quant, { visibility: { weights: 'committed' }, weights: new QuantizedWeights(graph, quant.scale) });
    const plain = compile('committed');
    const [V, D] = graph.weights.find((w) => w.name === 'wte')!.shape as [number, number];
    const wte = new QuantizedWeights(graph, quant.scale).get('wte');
    const expected = BigInt64Array.from({ length: V * D }, (_, k) => wte[(k % V) * D + Math.floor(k / V)]!);
    expect(own.weights.get('wteᵀ')).toEqual(expected);
    expect(plain.weights.get('wteᵀ')).toEqual(expected);
    expect(plain.info.get('wteᵀ')!.shape).toEqual([D, V]);
  });

  it('rows by op: the matmul rows lose the n·p Horner rows over B; the embedding its V·D table', () => {
    const fixedP = compile('fixed');
    const fixed = modelRows(fixedP).byOp;
    const rows = modelRows(compile('committed'));
    const committed = rows.byOp;
    const p = compile('committed');
    // lm_head's B = wteᵀ is committed too (as the weight "wteᵀ"): no matmul is left on the fixed-weights chip
    expect(committedWeightNames(p)).toEqual(expect.arrayContaining(['wte', 'wteᵀ']));
    expect(committed.matmul).toBeUndefined();
    const saved = p.graph.nodes
      .filter((n) => n.op === 'matmul_committed')
      .reduce((a, n) => {
        const [k, cols] = p.info.get(n.inputs[1]!)!.shape as [number, number];
        return a + k * cols - 2 * k;
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
  const K = 11;

  beforeAll(() => {
    params = new KzgParams(unsafeDevSrs(K, 'committed-model'));
    p = compile('committed');
    pk = keygen(new ModelCircuit(p), params, K);
    weights = commitModelWeights(params, p);
  });

  it('proves and verifies with the folded opening; a changed opening or other commitments are rejected', () => {
    const { circuit, instances } = witness(p);
    const proof = proveCommitted(pk, circuit, instances, params, weights);
    const vp = params.verifierParams();
    // proveCommitted no longer verifies its own proof: the opening at the challenges it returns verifies here
    expect(verifyCommitted(pk.vk, proof, instances, vp, weights, p)).toEqual({ ok: true });
    expect(decodeFoldedOpening(encodeFoldedOpening(proof.opening))).toEqual(proof.opening);
    const badValue = { ...proof, opening: { ...proof.opening, value: Fr.add(proof.opening.value, 1n) } };
    expect(verifyCommitted(pk.vk, badValue, instances, vp, weights, p)).toMatchObject({ ok: false, reason: expect.stringMatching(/differs from the fold/) });
    const swapped = { ...weights, matrices: [...weights.matrices].reverse() };
    expect(verifyCommitted(pk.vk, proof, instances, vp, swapped, p).ok).toBe(false);
  });

  it('a prover holding other matmul weights (same VK) gets a verifying circuit proof but fails the fingerprint', () => {
    // a matmul weight (wte also feeds wteᵀ: tampering it would change the claimed outputs two ways)
    const target = committedWeightNames(p).find((n) => !n.startsWith('wte'))!;
    const cheat: ModelCircuitParams = { ...p, weights: new TamperedWeights(p, target) };
    const { circuit, instances } = witness(cheat);
    const proof = proveCommitted(pk, circuit, instances, params, weights);
    const r = verifyCommitted(pk.vk, proof, instances, params.verifierParams(), weights, p);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/folded opening does not match the committed weights/);
  });

  it('the circuit proof is bound to the weight fingerprint: a proof bound to another fingerprint is rejected before the opening', () => {
    const { circuit, instances } = witness(p);
    const vp = params.verifierParams();
    const other = Uint8Array.from(weights.fingerprint, (b, i) => (i === 0 ? b ^ 1 : b));
    // the prover binds a fingerprint other than the verifier's commitments' (the honest opening alone cannot save it)
    const wrong = proveCommitted(pk, circuit, instances, params, { fingerprint: other });
    const r = verifyCommitted(pk.vk, wrong, instances, vp, weights, p);
    expect(r.ok).toBe(false);
    expect(r.reason).not.toMatch(/^weights:/);
    // the backend view: bound to X, rejected bound to Y and unbound; accepted bound to X
    expect(verifyDetailed(pk.vk, wrong.proof, instances, vp, { bind: other }).ok).toBe(true);
    expect(verifyDetailed(pk.vk, wrong.proof, instances, vp, { bind: weights.fingerprint }).ok).toBe(false);
    expect(verifyDetailed(pk.vk, wrong.proof, instances, vp).ok).toBe(false);
  });
});
