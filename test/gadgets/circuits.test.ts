import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import { MockProver, configure } from '../../src/plonkish/frontend/index.js';
import { attentionSpec } from '../../src/gadgets/attention.js';
import { ATTENTION_4x16x16, AttentionCircuit, SOFTMAX_64, SoftmaxCircuit } from '../../src/gadgets/circuits.js';
import { dequantize, quantize } from '../../src/gadgets/tensor.js';
import { errors, rng } from './harness.js';

const pub = (xs: bigint[]) => xs.map((v) => Fr.fromSigned(v));

function floatAttention(q: Float64Array, k: Float64Array, v: Float64Array, H: number, T: number, d: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < H; h++) {
    const at = (m: Float64Array, i: number, j: number) => m[h * T * d + i * d + j]!;
    for (let i = 0; i < T; i++) {
      const s = Array.from({ length: i + 1 }, (_, j) => {
        let acc = 0;
        for (let c = 0; c < d; c++) acc += at(q, i, c) * at(k, j, c);
        return acc / Math.sqrt(d);
      });
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < d; c++) out.push(e.reduce((acc, w, j) => acc + (w / z) * at(v, j, c), 0));
    }
  }
  return out;
}

describe('done-when circuits', () => {
  it('softmax over rows of width 64 satisfies the mock prover (k = 10); a wrong public output fails', () => {
    const r = rng(5);
    const { rows, width, scale } = SOFTMAX_64;
    const x = quantize(Array.from({ length: rows * width }, () => (r() * 2 - 1) * 6), [rows, width], scale);
    const outputs = SoftmaxCircuit.publicOutputs(SOFTMAX_64, x);
    const prover = MockProver.run(10, new SoftmaxCircuit(SOFTMAX_64, x), [pub(outputs)]);
    expect(prover.verify()).toEqual([]);
    const bad = [...outputs];
    bad[7] = bad[7]! + 1n;
    expect(MockProver.run(10, new SoftmaxCircuit(SOFTMAX_64, x), [pub(bad)]).verify().some((f) => f.kind === 'instance')).toBe(true);
  });

  it('causal attention 4 heads × 16 tokens × 16 dims satisfies the mock prover at k = 14, within float error', () => {
    const { heads: H, tokens: T, headDim: d, scale } = ATTENTION_4x16x16;
    const r = rng(9);
    const gen = () => quantize(Array.from({ length: H * T * d }, () => (r() * 2 - 1) * 1.5), [H, T, d], scale);
    const w = { q: gen(), k: gen(), v: gen() };
    const outputs = AttentionCircuit.publicOutputs(ATTENTION_4x16x16, w);
    const circuit = new AttentionCircuit(ATTENTION_4x16x16, w);
    const prover = MockProver.run(14, circuit, [pub(outputs)]);
    expect(prover.verify().map((f) => f.message).slice(0, 3)).toEqual([]);
    const rowsUsed = prover.assignment.rowsUsed;
    expect(rowsUsed).toBeLessThan(prover.assignment.usableRows);
    const got = outputs.map((v) => Number(v) / 2 ** scale);
    const want = floatAttention(dequantize(w.q), dequantize(w.k), dequantize(w.v), H, T, d);
    const { abs } = errors(got, want);
    expect(abs).toBeLessThanOrEqual(0.03);
    expect(attentionSpec(w.q.data, w.k.data, w.v.data, ATTENTION_4x16x16)).toEqual(BigInt64Array.from(outputs));
    const cs = configure(circuit).cs;
    console.log(`attention 4x16x16: rows ${rowsUsed}, advice ${cs.advice.length}, fixed ${cs.fixed.length}, lookups ${cs.lookups.length}, degree ${cs.degree()}, max abs err ${abs.toExponential(2)}`);
  });
});
