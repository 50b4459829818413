/**
 * Suite `models`: keygen, prove and verify of `gpt2-tiny` and (without
 * `--quick`: minutes) `nanogpt` on a full-context input — rows used, k,
 * proof bytes, peak RSS — plus the cost estimate of `gpt2-small` (rows and k
 * from the layout formulas; out of reach of one machine, so that row carries
 * `estimated: true` and the model's own time estimate). EZKL's published
 * nanoGPT numbers (native Rust: 237 s prove, 404 s keygen) are the peer.
 *
 * `ezkl-nanogpt` (without `--quick`) is EZKL's own nanoGPT ONNX file
 * (test/fixtures/ezkl-nanogpt) on its input.json, imported as shipped
 * (onnxToGraph), residual stream rescaled (rescaleStreams), calibrated at
 * 2^8 on that input; EZKL's published run of the same file is its peer row.
 */
import { readFileSync } from 'node:fs';
import {
  calibrate,
  compileModel,
  type ModelCircuitParams,
  onnxToGraph,
  parseOnnx,
  rescaleStreams,
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
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { availableParallelism } from 'node:os';
import type { BenchRow, Suite } from '../lib.js';

const row = (name: string, ns: number, extra: Record<string, unknown>): BenchRow => ({
  case: name,
  impl: 'zktensor',
  size: Number(extra.rows ?? 0),
  median_ns: ns,
  samples: extra.estimated ? 0 : 1,
  ...extra,
});

function measure(name: string, rows: BenchRow[], log: (m: string) => void): void {
  const pre = getPreset(name);
  const tokens = pre.config.context;
  const params = compileModel(presetGraph(pre, tokens), presetQuant(pre), { fixedColumns: pre.fixedColumns });
  const qin = { tokens: BigInt64Array.from({ length: tokens }, (_, i) => BigInt((i * 7) % pre.config.vocabulary)) };
  measureCircuit(name, params, qin, rows, log);
}

/** EZKL's nanoGPT ONNX file, compiled as the CLI would (scale 2^8, 8 fixed columns), and its input. */
export function ezklNanogpt(): { params: ModelCircuitParams; qin: Record<string, BigInt64Array> } {
  const dir = new URL('../../test/fixtures/ezkl-nanogpt/', import.meta.url);
  const model = parseOnnx(readFileSync(new URL('network.onnx', dir)));
  const ids = (JSON.parse(readFileSync(new URL('input.json', dir), 'utf8')) as { input_data: number[][] }).input_data[0]!;
  const sample = { input: ids };
  const { graph } = rescaleStreams(onnxToGraph(model, { dims: { batch_size: 1 }, name: 'ezkl-nanogpt' }).graph, sample);
  const { quant } = calibrate(graph, [sample], { scale: 8 });
  const params = compileModel(graph, quant, { fixedColumns: 8 });
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  return { params, qin: q.quantizeInputs(sample) };
}

export function measureCircuit(name: string, params: ModelCircuitParams, qin: Record<string, BigInt64Array>, rows: BenchRow[], log: (m: string) => void): void {
  const cost = estimateCost(params);
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  const instances = publicInstances(params, q.run(qin));
  // one MSM worker thread per spare core (the CLI's default)
  const kzg = new KzgParams(unsafeDevSrs(cost.k, 'bench-models')).useWorkers(Math.max(0, Math.min(3, availableParallelism() - 1)));
  log(`${name}: k = ${cost.k}, ${cost.rows} rows, ${cost.columns.committed} committed columns`);
  let t = process.hrtime.bigint();
  const pk = keygen(new ModelCircuit(params), kzg, cost.k);
  const keygenNs = Number(process.hrtime.bigint() - t);
  log(`${name}: keygen ${(keygenNs / 1e9).toFixed(1)} s`);
  t = process.hrtime.bigint();
  const proof = prove(pk, new ModelCircuit(params, qin), instances, kzg);
  const proveNs = Number(process.hrtime.bigint() - t);
  log(`${name}: prove ${(proveNs / 1e9).toFixed(1)} s`);
  const vp = kzg.verifierParams();
  verify(pk.vk, proof, instances, vp);
  t = process.hrtime.bigint();
  const ok = verify(pk.vk, proof, instances, vp);
  const verifyNs = Number(process.hrtime.bigint() - t);
  if (!ok.ok) throw new Error(`bench models: ${name} did not verify: ${ok.reason}`);
  const extra = { rows: cost.rows, k: cost.k, proof_bytes: proof.length, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), estimated_memory_mb: Math.round(cost.estimate.memoryBytes / 2 ** 20) };
  rows.push(row(`${name}.keygen`, keygenNs, extra), row(`${name}.prove`, proveNs, extra), row(`${name}.verify`, verifyNs, extra));
  pk.free();
  kzg.free();
}

/** EZKL's published run of its nanoGPT example (native Rust), the peer of `ezkl-nanogpt`. */
export const EZKL_NANOGPT_PUBLISHED: readonly BenchRow[] = [
  { case: 'ezkl-nanogpt.keygen', impl: 'ezkl (published)', size: 0, median_ns: 404e9, samples: 0 },
  { case: 'ezkl-nanogpt.prove', impl: 'ezkl (published)', size: 0, median_ns: 237e9, samples: 0 },
  { case: 'ezkl-nanogpt.verify', impl: 'ezkl (published)', size: 0, median_ns: 0.34e9, samples: 0 },
];

export const suite: Suite = async ({ quick }) => {
  const rows: BenchRow[] = [];
  const log = (m: string) => process.stderr.write(`${m}\n`);
  measure('gpt2-tiny', rows, log);
  if (!quick) {
    measure('nanogpt', rows, log);
    // EZKL's published nanoGPT run (native Rust), for the ratio
    rows.push({ case: 'nanogpt.prove', impl: 'ezkl (published)', size: 0, median_ns: 237e9, samples: 0 });
    rows.push({ case: 'nanogpt.keygen', impl: 'ezkl (published)', size: 0, median_ns: 404e9, samples: 0 });
    const ezkl = ezklNanogpt();
    measureCircuit('ezkl-nanogpt', ezkl.params, ezkl.qin, rows, log);
    rows.push(...EZKL_NANOGPT_PUBLISHED);
  }
  const p = getPreset('gpt2-small');
  const c = estimateCost(compileModel(presetGraph(p, p.config.context), presetQuant(p), { fixedColumns: p.fixedColumns }));
  const e = { rows: c.rows, k: c.k, estimated: true, ...(c.tooLarge ? { note: c.tooLarge } : {}) };
  rows.push(row('gpt2-small.keygen', c.estimate.keygenSeconds * 1e9, e), row('gpt2-small.prove', c.estimate.proveSeconds * 1e9, e));
  return rows;
};
