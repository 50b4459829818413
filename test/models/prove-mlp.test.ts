/**
 * An MLP (matmul with bias, ReLU, rescale, range checks) through the real
 * prover: proves, verifies, and a wrong public output is rejected.
 */
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import { buildMlp, calibrate, compileModel, ModelCircuit, publicInstances, QuantEvaluator } from '../../src/models/index.js';
import { keygen } from '../../src/plonkish/backend/keygen.js';
import { prove } from '../../src/plonkish/backend/prover.js';
import { verify } from '../../src/plonkish/backend/verifier.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';

describe('MLP with the real prover', () => {
  it('proves and verifies; a wrong output is rejected', () => {
    const sample = { x: [0.5, -1, 0.25, 2, 1, 1, -0.5, 0.1] };
    const g = buildMlp({ widths: [4, 8, 3], batch: 2 });
    const { quant } = calibrate(g, [sample], { scale: 8 });
    const p = compileModel(g, quant);
    const q = new QuantEvaluator(g, quant, p.weights);
    const qin = q.quantizeInputs(sample);
    const instances = publicInstances(p, q.run(qin));
    const circuit = new ModelCircuit(p, qin);
    const params = new KzgParams(unsafeDevSrs(10, 'mlp-prove'));
    const pk = keygen(circuit, params, 10);
    const proof = prove(pk, circuit, instances, params);
    const vp = params.verifierParams();
    expect(verify(pk.vk, proof, instances, vp)).toEqual({ ok: true });
    const wrong = instances.map((col) => col.map((v, i) => (i === col.length - 1 ? Fr.add(v, 1n) : v)));
    expect(verify(pk.vk, proof, wrong, vp).ok).toBe(false);
    pk.free();
  });
});
