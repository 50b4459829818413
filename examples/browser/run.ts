/**
 * What the browser example proves, written against the library only (no
 * Node or DOM API), so the same code runs in the page's Web Worker and under
 * Node (test/package/browser.test.ts times both): gpt2-tiny on a prompt and
 * an ONNX model on a JSON sample, each keygen → prove → verify on an unsafe
 * development SRS.
 */
import { KzgParams, keygen, prove, unsafeDevSrs, verify } from '../../src/index.js';
import {
  calibrate,
  compileModel,
  encodeText,
  estimateCost,
  getPreset,
  type ModelCircuitParams,
  ModelCircuit,
  onnxToGraph,
  parseOnnx,
  presetGraph,
  presetQuant,
  publicInstances,
  QuantEvaluator,
} from '../../src/models/index.js';

export interface ProofRun {
  readonly model: string;
  readonly k: number;
  readonly rows: number;
  /** Threads used besides the caller's (0: sequential). */
  readonly workers: number;
  readonly keygenMs: number;
  readonly proveMs: number;
  readonly verifyMs: number;
  readonly proofBytes: number;
  readonly ok: boolean;
  readonly reason?: string;
}

/** Progress: a phase starts (`model: phase`). */
export type Report = (line: string) => void;

async function run(model: string, params: ModelCircuitParams, qin: Record<string, BigInt64Array>, workers: number, report: Report): Promise<ProofRun> {
  const cost = estimateCost(params);
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  const instances = publicInstances(params, q.run(qin));
  report(`${model}: SRS 2^${cost.k} (unsafe, development only)`);
  const kzg = new KzgParams(unsafeDevSrs(cost.k, `browser-example ${model}`)).useWorkers(workers);
  try {
    // a browser starts a worker only while its parent is idle, and the pool's
    // threads block: let the workers load before the first blocking call
    await kzg.pool?.ready();
    report(`${model}: keygen`);
    let t = performance.now();
    const pk = keygen(new ModelCircuit(params), kzg, cost.k);
    const keygenMs = performance.now() - t;
    report(`${model}: prove`);
    t = performance.now();
    const proof = prove(pk, new ModelCircuit(params, qin), instances, kzg);
    const proveMs = performance.now() - t;
    report(`${model}: verify`);
    t = performance.now();
    const v = verify(pk.vk, proof, instances, kzg.verifierParams());
    const verifyMs = performance.now() - t;
    pk.free();
    const r = { model, k: cost.k, rows: cost.rows, workers, keygenMs, proveMs, verifyMs, proofBytes: proof.length, ok: v.ok };
    report(`${model}: ${v.ok ? 'verified' : `REJECTED (${v.reason})`} — keygen ${(keygenMs / 1000).toFixed(2)} s, prove ${(proveMs / 1000).toFixed(2)} s, verify ${(verifyMs / 1000).toFixed(2)} s`);
    return v.ok ? r : { ...r, reason: v.reason };
  } finally {
    kzg.free();
  }
}

/** gpt2-tiny (1 layer, 2 heads, width 8, synthetic weights) on `prompt`. */
export function proveGpt2Tiny(prompt: string, workers: number, report: Report): Promise<ProofRun> {
  const pre = getPreset('gpt2-tiny');
  const ids = encodeText(pre, prompt);
  const params = compileModel(presetGraph(pre, ids.length), presetQuant(pre), { fixedColumns: pre.fixedColumns });
  return run('gpt2-tiny', params, { tokens: BigInt64Array.from(ids, (id) => BigInt(id)) }, workers, report);
}

/** An ONNX model on one float sample, calibrated on that sample at 2^8. */
export function proveOnnx(name: string, bytes: Uint8Array, sample: Record<string, number[]>, workers: number, report: Report): Promise<ProofRun> {
  const { graph } = onnxToGraph(parseOnnx(bytes), { name });
  const { quant } = calibrate(graph, [sample], { scale: 8 });
  const params = compileModel(graph, quant);
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  return run(name, params, q.quantizeInputs(sample), workers, report);
}
