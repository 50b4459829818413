/**
 * Suite `models`: keygen, prove and verify of `gpt2-tiny` on a full-context
 * input (rows used, k, proof bytes, peak RSS), plus the cost estimates of
 * `nanogpt` and `gpt2-small` (rows and k from the layout formulas; their
 * proofs are out of reach at today's prover speed, so those rows carry
 * `estimated: true` and the model's own time estimate).
 */
import {
  compileModel,
  estimateCost,
  getPreset,
  ModelCircuit,
  presetGraph,
  presetQuant,
  publicInstances,
  QuantEvaluator,
} from '../../src/models/index.js';
import { keygen } from '../../src/plonkish/backend/keygen.js';
import { prove } from '../../src/plonkish/backend/prover.js';
import { verify } from '../../src/plonkish/backend/verifier.js';
import { KzgParams, unsafeDevSrs } from '../../src/poly/kzg.js';
import type { BenchRow, Suite } from '../lib.js';

const row = (name: string, ns: number, extra: Record<string, unknown>): BenchRow => ({
  case: name,
  impl: 'zktensor',
  size: Number(extra.rows ?? 0),
  median_ns: ns,
  samples: extra.estimated ? 0 : 1,
  ...extra,
});

export const suite: Suite = async () => {
  const rows: BenchRow[] = [];
  const tiny = getPreset('gpt2-tiny');
  const tokens = tiny.config.context;
  const params = compileModel(presetGraph(tiny, tokens), presetQuant(tiny), { fixedColumns: tiny.fixedColumns });
  const cost = estimateCost(params);
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  const qin = { tokens: BigInt64Array.from({ length: tokens }, (_, i) => BigInt(i % tiny.config.vocabulary)) };
  const instances = publicInstances(params, q.run(qin));
  const kzg = new KzgParams(unsafeDevSrs(cost.k, 'bench-models'));
  let t = process.hrtime.bigint();
  const pk = keygen(new ModelCircuit(params), kzg, cost.k);
  const keygenNs = Number(process.hrtime.bigint() - t);
  t = process.hrtime.bigint();
  const proof = prove(pk, new ModelCircuit(params, qin), instances, kzg);
  const proveNs = Number(process.hrtime.bigint() - t);
  const vp = kzg.verifierParams();
  verify(pk.vk, proof, instances, vp);
  t = process.hrtime.bigint();
  const ok = verify(pk.vk, proof, instances, vp);
  const verifyNs = Number(process.hrtime.bigint() - t);
  if (!ok.ok) throw new Error(`bench models: gpt2-tiny did not verify: ${ok.reason}`);
  const extra = { rows: cost.rows, k: cost.k, proof_bytes: proof.length, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
  rows.push(row('gpt2-tiny.keygen', keygenNs, extra), row('gpt2-tiny.prove', proveNs, extra), row('gpt2-tiny.verify', verifyNs, extra));
  pk.free();
  for (const name of ['nanogpt', 'gpt2-small']) {
    const p = getPreset(name);
    const c = estimateCost(compileModel(presetGraph(p, p.config.context), presetQuant(p), { fixedColumns: p.fixedColumns }));
    const e = { rows: c.rows, k: c.k, estimated: true, ...(c.tooLarge ? { note: c.tooLarge } : {}) };
    rows.push(row(`${name}.keygen`, c.estimate.keygenSeconds * 1e9, e), row(`${name}.prove`, c.estimate.proveSeconds * 1e9, e));
  }
  return rows;
};
