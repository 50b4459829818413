/**
 * ONNX conformance: every node test case of ONNX's own backend suite whose
 * operator this importer supports runs
 *   float    through the float evaluator (`evaluateOnnx`), compared with the
 *            expected outputs (rtol 1e-3, atol 1e-5: ONNX's backend-test
 *            tolerances loosened for float32 vs float64);
 *   circuit  lowered to the IR (`onnxToGraph`), calibrated at scale 2^10,
 *            compiled, and checked by the MockProver with the quantized outputs
 *            as public instances; the dequantized outputs must be within
 *            0.02 + 0.02·|expected| of the expected ones (fixed-point error);
 *            the first passing case of each operator must also reject a
 *            changed public output.
 *
 * The cases come from the Debian package libonnx-testdata
 * (/usr/share/libonnx-testdata/data/node/test_*); without it the suite is
 * skipped with a message. A case whose features this importer rejects on
 * purpose (an `OnnxImportError`) is "rejected" / "skipped" with the reason,
 * not a failure; a wrong value or any other exception fails.
 *
 * Circuit harness policy (printed with the table):
 *   - integer (and bool) graph inputs are part of the model: they become
 *     constants (shapes, axes, indices, masks); integer data is skipped;
 *   - when the lowering needs an operand constant (BatchNormalization
 *     statistics, LayerNormalization scale, a Pow exponent), the float inputs
 *     after the first become constants too (as weights are in real models);
 *   - a node's secondary outputs (LayerNormalization Mean / InvStdDev) are
 *     dropped from the graph: the circuit proves the first output;
 *   - cases over LIMIT_ENTRIES tensor entries or 2^MAX_K rows are skipped
 *     (sizes that keep the suite fast), deterministically.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import {
  calibrate,
  compileModel,
  estimateCost,
  evaluateFloat,
  evaluateOnnx,
  type Graph,
  inferShapes,
  isFloatType,
  ModelCircuit,
  numel,
  type OnnxModel,
  onnxToGraph,
  OnnxImportError,
  type OnnxTensor,
  parseOnnx,
  parseOnnxTensor,
  publicInstances,
  QuantEvaluator,
  SUPPORTED_ONNX_OPS,
} from '../../src/models/index.js';
import { formatFailures } from '../../src/plonkish/frontend/mock-failures.js';
import { MockProver, NotEnoughRowsError } from '../../src/plonkish/frontend/index.js';

const ROOT = '/usr/share/libonnx-testdata/data/node';
const present = existsSync(ROOT);
if (!present) console.warn(`onnx conformance: skipped, ${ROOT} is missing (apt-get install -y libonnx-testdata)`);

const SCALE = 10;
const LIMIT_ENTRIES = 40000;
const MAX_K = 15;
const MAX_BITS = 24;

type Status = 'pass' | 'fail' | 'rejected' | 'skipped';
interface Outcome {
  readonly op: string;
  readonly name: string;
  readonly float: Status;
  readonly circuit: Status;
  readonly detail?: string;
  readonly circuitDetail?: string;
  readonly err?: number;
  readonly k?: number;
}

function compare(got: OnnxTensor | undefined, want: OnnxTensor): string | undefined {
  if (!got) return 'output missing';
  if (got.dims.join(',') !== want.dims.join(',')) return `dims [${got.dims}] vs expected [${want.dims}]`;
  for (let i = 0; i < want.data.length; i++) {
    const [g, w] = [got.data[i]!, want.data[i]!];
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= 1e-5 + 1e-3 * Math.abs(w))) return `entry ${i}: ${g} vs expected ${w}`;
  }
  return undefined;
}

/** The model with some graph inputs turned into initializers (their test values) and only output 0 kept. */
function withConstants(model: OnnxModel, values: readonly OnnxTensor[], constant: (i: number) => boolean): OnnxModel {
  const initializers = new Map(model.graph.initializers);
  model.graph.inputs.forEach((inp, i) => constant(i) && initializers.set(inp.name, values[i]!));
  return {
    ...model,
    graph: { ...model.graph, initializers, inputs: model.graph.inputs.filter((_, i) => !constant(i)), outputs: model.graph.outputs.slice(0, 1) },
  };
}

const tamperedOnce = new Set<string>();

function circuitCase(op: string, model: OnnxModel, values: readonly OnnxTensor[], want: OnnxTensor): Pick<Outcome, 'circuit' | 'circuitDetail' | 'err' | 'k'> {
  const skip = (why: string) => ({ circuit: 'skipped' as const, circuitDetail: why });
  const ins = model.graph.inputs;
  if (!isFloatType(want.dtype)) return skip('integer output (the circuit proves fixed-point reals)');
  if (!ins.some((i) => isFloatType(i.dtype))) return skip(ins.length ? 'integer data (the circuit proves fixed-point reals)' : 'no inputs (a constant)');
  if (want.data.length === 0) return skip('empty output');
  const floatIn = (i: number) => isFloatType(ins[i]!.dtype);
  let m = withConstants(model, values, (i) => !floatIn(i));
  let lowered;
  try {
    lowered = onnxToGraph(m);
  } catch (e) {
    if (!(e instanceof OnnxImportError)) throw e;
    if (!/must be a constant/.test(e.message) || ins.filter((_, i) => floatIn(i)).length < 2) return skip(e.message);
    m = withConstants(model, values, (i) => i > 0);
    try {
      lowered = onnxToGraph(m);
    } catch (e2) {
      if (!(e2 instanceof OnnxImportError)) throw e2;
      return skip(e2.message);
    }
  }
  const g: Graph = lowered.graph;
  // every tensor's entries (views included): what the evaluators touch, a bound on the circuit's rows
  const entries = [...inferShapes(g).values()].reduce((a, t) => a + numel(t.shape), 0);
  if (entries > LIMIT_ENTRIES) return skip(`size: ${entries} tensor entries > ${LIMIT_ENTRIES}`);
  const sample: Record<string, Float64Array> = {};
  m.graph.inputs.forEach((inp) => (sample[inp.name] = values[model.graph.inputs.findIndex((x) => x.name === inp.name)]!.data));
  let maxAbs = 1;
  for (const t of evaluateFloat(g, sample).values()) for (const v of t.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  const bits = Math.ceil(Math.log2(maxAbs * 2 * 2 ** SCALE)) + 1;
  if (bits > MAX_BITS) return skip(`range: values up to ${maxAbs.toPrecision(3)} need ${bits} bits at scale 2^${SCALE} (limit ${MAX_BITS})`);
  const { quant } = calibrate(g, [sample], { scale: SCALE });
  const p = compileModel(g, quant);
  const cost = estimateCost(p);
  // the instance column needs its rows too (the cost estimate counts region and table rows)
  let k = cost.k;
  while (2 ** k - cost.blindingRows < cost.instanceValues) k++;
  if (k > MAX_K) return skip(`size: k = ${k} > ${MAX_K}`);
  const q = new QuantEvaluator(g, quant, p.weights);
  const qin = q.quantizeInputs(sample);
  const env = q.run(qin);
  const outName = lowered.outputs.get(model.graph.outputs[0]!.name)!;
  const got = Array.from(env.get(outName)!.data, (v) => Number(v) / 2 ** SCALE);
  let err = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i]! - want.data[i]!);
    err = Math.max(err, e);
    if (!(e <= 0.02 + 0.02 * Math.abs(want.data[i]!))) return { circuit: 'fail', circuitDetail: `quantized entry ${i}: ${got[i]} vs expected ${want.data[i]} (k = ${k}, bits ${quant.bits})`, err, k };
  }
  const instances = publicInstances(p, env);
  const circuit = new ModelCircuit(p, qin);
  let prover;
  for (;; k++) {
    try {
      prover = MockProver.run(k, circuit, instances);
      break;
    } catch (e) {
      if (!(e instanceof NotEnoughRowsError) || k >= MAX_K) throw e;
    }
  }
  const failures = prover.verify();
  if (failures.length) return { circuit: 'fail', circuitDetail: `MockProver: ${formatFailures(failures, 3)}`, err, k };
  if (!tamperedOnce.has(op)) {
    tamperedOnce.add(op);
    const wrong = [instances[0]!.map((v, i) => (i === instances[0]!.length - 1 ? Fr.add(v, 1n) : v))];
    if (MockProver.run(k, circuit, wrong).verify().length === 0) return { circuit: 'fail', circuitDetail: 'a changed public output was accepted', err, k };
  }
  return { circuit: 'pass', err, k };
}

function runCase(dir: string): Outcome | undefined {
  const name = dir.replace(/^test_/, '');
  let model;
  try {
    model = parseOnnx(readFileSync(join(ROOT, dir, 'model.onnx')));
  } catch (e) {
    if (e instanceof OnnxImportError) return undefined; // non-tensor graph inputs (sequence / optional cases)
    throw e;
  }
  const ops = [...new Set(model.graph.nodes.map((n) => n.opType))];
  if (model.graph.nodes.length !== 1 || !SUPPORTED_ONNX_OPS.includes(ops[0]!)) return undefined;
  const op = ops[0]!;
  const data = join(ROOT, dir, 'test_data_set_0');
  let env;
  const values: OnnxTensor[] = [];
  try {
    // inputs are numbered in graph order, initializers excluded
    const inputs: Record<string, OnnxTensor> = {};
    model.graph.inputs.forEach((inp, i) => values.push((inputs[inp.name] = parseOnnxTensor(readFileSync(join(data, `input_${i}.pb`)), `${dir}/input_${i}.pb`))));
    env = evaluateOnnx(model, inputs);
  } catch (e) {
    if (e instanceof OnnxImportError) return { op, name, float: 'rejected', circuit: 'skipped', detail: e.message, circuitDetail: 'rejected by the float evaluator' };
    return { op, name, float: 'fail', circuit: 'skipped', detail: `threw ${(e as Error).message}` };
  }
  const wants: OnnxTensor[] = [];
  for (let i = 0; i < model.graph.outputs.length; i++) {
    let want: OnnxTensor;
    try {
      want = parseOnnxTensor(readFileSync(join(data, `output_${i}.pb`)));
    } catch (e) {
      if (e instanceof OnnxImportError) return { op, name, float: 'rejected', circuit: 'skipped', detail: `expected output: ${e.message}`, circuitDetail: 'rejected by the float evaluator' };
      throw e;
    }
    wants.push(want);
    const bad = compare(env.get(model.graph.outputs[i]!.name), want);
    if (bad) return { op, name, float: 'fail', circuit: 'skipped', detail: `output ${i}: ${bad}` };
  }
  return { op, name, float: 'pass', ...circuitCase(op, model, values, wants[0]!) };
}

describe.skipIf(!present)('ONNX node test cases (libonnx-testdata)', () => {
  it('every supported operator matches the expected outputs; convertible cases satisfy the MockProver', () => {
    const outcomes = readdirSync(ROOT)
      .filter((d) => d.startsWith('test_') && existsSync(join(ROOT, d, 'model.onnx')))
      .sort()
      .map(runCase)
      .filter((o): o is Outcome => o !== undefined);
    const table = new Map<string, { cases: number; float: number; circuit: number; skipped: number; fail: number; err: number }>();
    for (const o of outcomes) {
      const row = table.get(o.op) ?? { cases: 0, float: 0, circuit: 0, skipped: 0, fail: 0, err: 0 };
      row.cases++;
      if (o.float === 'pass') row.float++;
      if (o.circuit === 'pass') row.circuit++;
      if (o.circuit === 'skipped') row.skipped++;
      if (o.circuit === 'fail' || o.float === 'fail') row.fail++;
      row.err = Math.max(row.err, o.err ?? 0);
      table.set(o.op, row);
    }
    const pad = (v: string | number, w: number) => String(v).padStart(w);
    const lines = [...table].sort(([a], [b]) => a.localeCompare(b)).map(([op, r]) =>
      `| ${op.padEnd(18)} | ${pad(r.cases, 5)} | ${pad(r.float, 10)} | ${pad(r.circuit, 12)} | ${pad(r.skipped, 7)} | ${pad(r.fail, 4)} | ${pad(r.circuit ? r.err.toFixed(4) : '-', 11)} |`);
    console.log([
      `| ${'op'.padEnd(18)} | cases | float pass | circuit pass | skipped | fail | max |q − y| |`,
      `|${'-'.repeat(20)}|-------|------------|--------------|---------|------|-------------|`,
      ...lines,
    ].join('\n'));
    console.log('not passing (float / circuit):');
    for (const o of outcomes.filter((x) => x.float !== 'pass' || x.circuit !== 'pass')) {
      console.log(`  ${o.name}: float ${o.float}${o.detail ? ` (${o.detail})` : ''}; circuit ${o.circuit}${o.circuitDetail ? ` (${o.circuitDetail})` : ''}`);
    }
    expect(outcomes.filter((o) => o.float === 'fail' || o.circuit === 'fail').map((o) => `${o.name}: ${o.detail ?? ''} ${o.circuitDetail ?? ''}`)).toEqual([]);
    const untested = SUPPORTED_ONNX_OPS.filter((op) => !table.get(op)?.float && op !== 'Gelu'); // Gelu is opset 20, newer than the suite
    expect(untested).toEqual([]);
  });
});

/**
 * EZKL's nanoGPT benchmark file (test/fixtures/ezkl-nanogpt) op by op: how
 * the importer handles each of its 350 nodes (folded at import, lowered to an
 * IR op, or covered by a recognised LayerNorm / GELU / attention pattern).
 * Values are checked in onnx-ezkl-nanogpt.test.ts; this prints the coverage.
 */
describe("ONNX coverage of EZKL's nanoGPT file", () => {
  it('every node is folded, lowered or covered by a recognised pattern', () => {
    const model = parseOnnx(readFileSync(new URL('../fixtures/ezkl-nanogpt/network.onnx', import.meta.url)));
    const { handling } = onnxToGraph(model, { dims: { batch_size: 1 } });
    expect(model.graph.nodes.filter((n) => !handling.has(n)).map((n) => n.name)).toEqual([]);
    const kinds = ['folded', 'lowered', 'layernorm', 'gelu', 'attention'] as const;
    const table = new Map<string, Record<(typeof kinds)[number], number>>();
    for (const n of model.graph.nodes) {
      const row = table.get(n.opType) ?? { folded: 0, lowered: 0, layernorm: 0, gelu: 0, attention: 0 };
      row[handling.get(n)!]++;
      table.set(n.opType, row);
    }
    const cell = (v: number) => String(v || '').padStart(9);
    console.log([
      `| ${'op'.padEnd(16)} | nodes | ${kinds.map((k) => k.padStart(9)).join(' | ')} |`,
      `|${'-'.repeat(18)}|-------|${kinds.map(() => '-'.repeat(11)).join('|')}|`,
      ...[...table].sort(([a], [b]) => a.localeCompare(b)).map(([op, r]) => `| ${op.padEnd(16)} | ${String(kinds.reduce((a, k) => a + r[k], 0)).padStart(5)} | ${kinds.map((k) => cell(r[k])).join(' | ')} |`),
    ].join('\n'));
    // the shape arithmetic folds entirely; no Div survives outside a LayerNorm
    for (const op of ['Shape', 'ConstantOfShape', 'NonZero', 'Equal', 'Cast', 'Unsqueeze', 'Concat', 'Constant']) expect(table.get(op)?.lowered ?? 0).toBe(0);
    expect(table.get('Div')!.lowered).toBe(0);
  });
});
