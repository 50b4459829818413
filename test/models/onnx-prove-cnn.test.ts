/**
 * The CNN fixture (test/fixtures/onnx/cnn.onnx: Conv → BatchNormalization →
 * Relu → MaxPool → Conv → Relu → AveragePool → Flatten → Gemm) through the
 * real prover: keygen, prove, verify; a wrong public output is rejected.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import { calibrate, compileModel, estimateCost, ModelCircuit, onnxToGraph, parseOnnx, publicInstances, QuantEvaluator } from '../../src/models/index.js';
import { keygen } from '../../src/plonkish/backend/keygen.js';
import { prove } from '../../src/plonkish/backend/prover.js';
import { verify } from '../../src/plonkish/backend/verifier.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';

describe('ONNX CNN with the real prover', () => {
  it('proves and verifies; a wrong output is rejected', () => {
    const model = parseOnnx(readFileSync(new URL('../fixtures/onnx/cnn.onnx', import.meta.url)));
    const ref = JSON.parse(readFileSync(new URL('../fixtures/onnx/cnn.json', import.meta.url), 'utf8')) as { inputs: Record<string, number[]> };
    const { graph } = onnxToGraph(model);
    const { quant } = calibrate(graph, [ref.inputs], { scale: 8 });
    const p = compileModel(graph, quant);
    const { k } = estimateCost(p);
    const q = new QuantEvaluator(graph, quant, p.weights);
    const qin = q.quantizeInputs(ref.inputs);
    const instances = publicInstances(p, q.run(qin));
    const circuit = new ModelCircuit(p, qin);
    const params = new KzgParams(unsafeDevSrs(k, 'cnn-prove'));
    const t0 = performance.now();
    const pk = keygen(circuit, params, k);
    const t1 = performance.now();
    const proof = prove(pk, circuit, instances, params);
    const t2 = performance.now();
    const vp = params.verifierParams();
    expect(verify(pk.vk, proof, instances, vp)).toEqual({ ok: true });
    const t3 = performance.now();
    console.log(`cnn: k = ${k}, keygen ${((t1 - t0) / 1000).toFixed(2)} s, prove ${((t2 - t1) / 1000).toFixed(2)} s, verify ${((t3 - t2) / 1000).toFixed(3)} s, proof ${proof.length} bytes`);
    const wrong = instances.map((col) => col.map((v, i) => (i === col.length - 1 ? Fr.add(v, 1n) : v)));
    expect(verify(pk.vk, proof, wrong, vp).ok).toBe(false);
    pk.free();
  }, 300_000); // ≈ 10 s on 2 cores (k = 11); the bound leaves room for a loaded machine
});
