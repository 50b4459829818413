/**
 * One measurement of weights visibility `committed` against `fixed` on a
 * preset (default nanogpt, full context): rows by op, k, keygen, weight
 * commitment (setup), prove (circuit proof + folded opening) and verify
 * (circuit + folded check). `npx tsx bench/committed-weights.ts [preset] [fixed]`
 * (`fixed`: also prove the fixed-weights circuit, for the same-machine baseline).
 */
import { availableParallelism } from 'node:os';
import { commitModelWeights, proveCommitted, verifyCommitted, WEIGHT_OPENING_BYTES } from '../src/models/committed.js';
import { compileModel, estimateCost, getPreset, ModelCircuit, presetGraph, presetQuant, publicInstances, QuantEvaluator } from '../src/models/index.js';
import { keygen } from '../src/plonkish/backend/keygen.js';
import { prove } from '../src/plonkish/backend/prover.js';
import { verify } from '../src/plonkish/backend/verifier.js';
import { KzgParams, unsafeDevSrs } from '../src/pcs/kzg.js';

const name = process.argv[2] ?? 'nanogpt';
const alsoFixed = process.argv[3] === 'fixed';
const pre = getPreset(name);
const T = pre.config.context;
const graph = presetGraph(pre, T);
const quant = presetQuant(pre);
const qin = { tokens: BigInt64Array.from({ length: T }, (_, i) => BigInt((i * 7) % pre.config.vocabulary)) };
const secs = (t: bigint) => (Number(process.hrtime.bigint() - t) / 1e9).toFixed(1);

for (const weights of alsoFixed ? (['committed', 'fixed'] as const) : (['committed'] as const)) {
  const p = compileModel(graph, quant, { visibility: { weights }, fixedColumns: pre.fixedColumns });
  const cost = estimateCost(p);
  console.log(`${name} weights=${weights}: k = ${cost.k}, rows ${cost.rows}, region rows ${cost.regionRows}, committed columns ${cost.columns.committed}`);
  console.log(`  rows by op ${JSON.stringify(cost.rowsByOp)}`);
  const q = new QuantEvaluator(p.graph, p.quant, p.weights);
  const instances = publicInstances(p, q.run(qin));
  const kzg = new KzgParams(unsafeDevSrs(cost.k, 'bench-committed')).useWorkers(Math.max(0, Math.min(3, availableParallelism() - 1)));
  let t = process.hrtime.bigint();
  const pk = keygen(new ModelCircuit(p), kzg, cost.k);
  console.log(`  keygen ${secs(t)} s`);
  const vp = kzg.verifierParams();
  if (weights === 'committed') {
    t = process.hrtime.bigint();
    const { commitment: w, secrets } = commitModelWeights(kzg, p);
    console.log(`  commit weights ${secs(t)} s (${w.matrices.reduce((a, m) => a + m.rows, 0)} row commitments)`);
    t = process.hrtime.bigint();
    const proof = proveCommitted(pk, new ModelCircuit(p, qin), instances, kzg, w, { secrets });
    console.log(`  prove ${secs(t)} s (circuit proof ${proof.proof.length} bytes + ${WEIGHT_OPENING_BYTES}-byte weight opening)`);
    t = process.hrtime.bigint();
    const r = verifyCommitted(pk.vk, proof, instances, vp, w, p);
    console.log(`  verify ${secs(t)} s: ${JSON.stringify(r)}`);
  } else {
    t = process.hrtime.bigint();
    const proof = prove(pk, new ModelCircuit(p, qin), instances, kzg);
    console.log(`  prove ${secs(t)} s (${proof.length} bytes)`);
    t = process.hrtime.bigint();
    console.log(`  verify ${secs(t)} s: ${JSON.stringify(verify(pk.vk, proof, instances, vp))}`);
  }
  pk.free();
}
process.exit(0);
