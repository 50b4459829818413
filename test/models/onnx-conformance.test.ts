/**
 * ONNX conformance: every node test case of ONNX's own backend suite whose
 * operator this importer supports runs through the float evaluator
 * (`evaluateOnnx`) and is compared with the expected outputs (rtol 1e-3,
 * atol 1e-5, ONNX's backend-test tolerances loosened for float32 vs float64).
 *
 * The cases come from the Debian package libonnx-testdata
 * (/usr/share/libonnx-testdata/data/node/test_*); without it the suite is
 * skipped with a message. A case whose features this importer rejects on
 * purpose (an `OnnxImportError`: float16 casts to string, training mode,
 * sequence types) is counted as "rejected", not as a failure; a wrong value
 * or any other exception fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateOnnx, OnnxImportError, type OnnxTensor, parseOnnx, parseOnnxTensor, SUPPORTED_ONNX_OPS } from '../../src/models/index.js';

const ROOT = '/usr/share/libonnx-testdata/data/node';
const present = existsSync(ROOT);
if (!present) console.warn(`onnx conformance: skipped, ${ROOT} is missing (apt-get install -y libonnx-testdata)`);

interface Outcome {
  readonly op: string;
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'rejected';
  readonly detail?: string;
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
  try {
    const inputs: Record<string, OnnxTensor> = {};
    // inputs are numbered in graph order, initializers excluded
    model.graph.inputs.forEach((inp, i) => (inputs[inp.name] = parseOnnxTensor(readFileSync(join(data, `input_${i}.pb`)), `${dir}/input_${i}.pb`)));
    env = evaluateOnnx(model, inputs);
  } catch (e) {
    if (e instanceof OnnxImportError) return { op, name, status: 'rejected', detail: e.message };
    return { op, name, status: 'fail', detail: `threw ${(e as Error).message}` };
  }
  for (let i = 0; i < model.graph.outputs.length; i++) {
    let want: OnnxTensor;
    try {
      want = parseOnnxTensor(readFileSync(join(data, `output_${i}.pb`)));
    } catch (e) {
      if (e instanceof OnnxImportError) return { op, name, status: 'rejected', detail: `expected output: ${e.message}` };
      throw e;
    }
    const bad = compare(env.get(model.graph.outputs[i]!.name), want);
    if (bad) return { op, name, status: 'fail', detail: `output ${i}: ${bad}` };
  }
  return { op, name, status: 'pass' };
}

describe.skipIf(!present)('ONNX node test cases (libonnx-testdata)', () => {
  it('every supported operator matches the expected outputs', () => {
    const outcomes = readdirSync(ROOT)
      .filter((d) => d.startsWith('test_') && existsSync(join(ROOT, d, 'model.onnx')))
      .sort()
      .map(runCase)
      .filter((o): o is Outcome => o !== undefined);
    const table = new Map<string, { pass: number; fail: number; rejected: number }>();
    for (const o of outcomes) {
      const row = table.get(o.op) ?? { pass: 0, fail: 0, rejected: 0 };
      row[o.status]++;
      table.set(o.op, row);
    }
    const lines = [...table].sort(([a], [b]) => a.localeCompare(b)).map(([op, r]) => `${op.padEnd(20)} ${String(r.pass).padStart(4)} ${String(r.fail).padStart(4)} ${String(r.rejected).padStart(8)}`);
    console.log([`${'op'.padEnd(20)} pass fail rejected`, ...lines].join('\n'));
    for (const o of outcomes.filter((x) => x.status !== 'pass')) console.log(`  ${o.status} ${o.name}: ${o.detail}`);
    expect(outcomes.filter((o) => o.status === 'fail').map((o) => `${o.name}: ${o.detail}`)).toEqual([]);
    const untested = SUPPORTED_ONNX_OPS.filter((op) => !table.get(op)?.pass && op !== 'Gelu'); // Gelu is opset 20, newer than the suite
    expect(untested).toEqual([]);
  });
});
