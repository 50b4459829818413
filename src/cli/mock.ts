/**
 * `zktensor mock`: the MockProver (no cryptography) on one input — every
 * gate, lookup and copy checked on the synthesized table, failures printed
 * by name (gate, region, row, cells). The circuit is the one settings.json
 * pins (`--setup DIR` / `--settings FILE`), or one built from setup's
 * flags (`--model …`, calibrated as setup would). `--instances proof.json`
 * checks the witness against a proof file's public values instead of its
 * own (say, to see why a proof's public values do not fit an input).
 * Settings of a model proved as linked segments (a "split") are mocked
 * segment by segment at the chain's k, each on its part of the one
 * evaluation (the links hold by construction here: the real verifier
 * checks them). Exit 0 satisfied, 1 failures.
 */
import { join } from 'node:path';
import { compileModel, ModelCircuit, QuantEvaluator } from '../models/index.js';
import { segmentInstances } from '../models/chain.js';
import { formatFailures, MockProver, type VerifyFailure } from '../plonkish/frontend/index.js';
import { chainEstimate, checkChainFits, compileSplit } from './split.js';
import { type Args, type CommandSpec, flag, has, readText, requireFlag } from './args.js';
import { type CommandIo, EXIT_OK, EXIT_REJECTED } from './common.js';
import { UsageError } from './errors.js';
import { checkInputFile } from './input.js';
import { type CompiledModel, compileSource, type ModelSource, sourceFromSettings } from './model-source.js';
import { parseChainProofFile, parseProofFile } from './proof-file.js';
import { checkFits } from './resources.js';
import { readSettings, type Settings } from './settings.js';
import { statementFromArgs } from './statement.js';
import { inputErrors, quantizedInput, witnessFor } from './witness.js';

export const MOCK: CommandSpec = {
  name: 'mock',
  summary: 'check the circuit on an input without proving (named failures)',
  help: `usage: zktensor mock (--setup DIR | --settings FILE | --model M [setup options]) --input … [--instances proof.json]

  --setup DIR / --settings FILE   the circuit setup pinned
  --model M …                     or build it as setup would (with settings: the moved ONNX file) (--tokens, --weights, --dims,
                                  --calibration, --scale, --limb-bits, --visibility)
  --input …                       as for prove
  --instances FILE                check against this proof file's public values
  --force                         ignore the memory estimate   --json  a JSON result
Exit 0 when every constraint holds, 1 when some fail (each printed by name).`,
  options: {
    setup: 'string', settings: 'string', model: 'string', tokens: 'string', weights: 'string', dims: 'string', calibration: 'string', scale: 'string', 'limb-bits': 'string',
    visibility: 'string', input: 'string', instances: 'string', force: 'boolean', json: 'boolean', quiet: 'boolean',
  },
};

async function circuitFor(args: Args): Promise<{ settings: Pick<Settings, 'calibration' | 'name'>; source: ModelSource; model: CompiledModel }> {
  const dir = flag(args, 'setup');
  const settingsPath = flag(args, 'settings') ?? (dir ? join(dir, 'settings.json') : undefined);
  if (settingsPath) {
    const s = readSettings(settingsPath);
    const source = sourceFromSettings(s, settingsPath, { ...(flag(args, 'model') ? { model: flag(args, 'model') } : {}), ...(flag(args, 'weights') ? { weights: flag(args, 'weights') } : {}) });
    return { settings: s, source, model: compileSource(source, s.quant, s.visibility, s.fixedColumns) };
  }
  if (!flag(args, 'model')) throw new UsageError('mock: missing --setup DIR, --settings FILE or --model M');
  const st = await statementFromArgs(args);
  return { settings: { calibration: st.calibration, name: st.source.name }, source: st.source, model: st.compiled };
}

export async function cmdMock(args: Args, io: CommandIo): Promise<number> {
  const rawInput = requireFlag(args, 'input', '"the"');
  checkInputFile(rawInput);
  const settingsPath = flag(args, 'settings') ?? (flag(args, 'setup') ? join(flag(args, 'setup')!, 'settings.json') : undefined);
  const split = settingsPath ? readSettings(settingsPath) : undefined;
  if (settingsPath && split?.split) return mockSplit(args, io, split, settingsPath, rawInput);
  const { settings, source, model } = await circuitFor(args);
  checkFits('mock', settings.name, model.cost, has(args, 'force'));
  const w = await witnessFor(settings, source, model, rawInput);
  const instancesPath = flag(args, 'instances');
  const instances = instancesPath ? parseProofFile(readText(instancesPath, '--instances')).instances : w.instances;
  const failures = MockProver.run(model.cost.k, new ModelCircuit(model.params, w.qin), instances).verify();
  if (has(args, 'json')) io.out(JSON.stringify({ ok: failures.length === 0, model: settings.name, k: model.cost.k, failures: failures.slice(0, 100).map((f) => f.message), count: failures.length }));
  else if (failures.length === 0) io.out(`mock OK: ${settings.name} (k = ${model.cost.k}): every gate, lookup and copy constraint holds`);
  else {
    io.out(`mock FAILED: ${settings.name} (k = ${model.cost.k}): ${failures.length} failure(s)`);
    io.out(formatFailures(failures));
  }
  return failures.length === 0 ? EXIT_OK : EXIT_REJECTED;
}

/** mock for a split model: every segment's circuit on its part of one evaluation (with a proof file's public values: their slices). */
async function mockSplit(args: Args, io: CommandIo, settings: Settings, settingsPath: string, rawInput: string): Promise<number> {
  const split = settings.split!;
  const source = sourceFromSettings(settings, settingsPath, { ...(flag(args, 'model') ? { model: flag(args, 'model') } : {}), ...(flag(args, 'weights') ? { weights: flag(args, 'weights') } : {}) });
  const params = compileModel(source.graph, settings.quant, { visibility: settings.visibility, fixedColumns: settings.fixedColumns });
  const chain = compileSplit(settings.name, params, split.cuts);
  if (chain.k !== settings.k || chain.segments.length !== split.segments.length) {
    throw new UsageError(`${settingsPath}: the model compiles to ${chain.segments.length} segments at k = ${chain.k}, the settings say ${split.segments.length} at k = ${settings.k} (settings from another version of zktensor?)`);
  }
  checkChainFits('mock', settings.name, chainEstimate(chain), has(args, 'force'));
  const qin = await quantizedInput(settings, source, params, rawInput);
  const values = inputErrors(settings, () => new QuantEvaluator(params.graph, params.quant, params.weights).run(qin));
  const instancesPath = flag(args, 'instances');
  const column = instancesPath ? parseChainProofFile(readText(instancesPath, '--instances')).instances[0] ?? [] : undefined;
  const failures: { segment: string; failures: VerifyFailure[] }[] = [];
  chain.segments.forEach((s, j) => {
    const slice = split.segments[j]!.publicValues;
    const instances = column ? [column.slice(slice.offset, slice.offset + slice.length)] : segmentInstances(s, values);
    const inputs = Object.fromEntries(s.params.graph.inputs.map((i) => [i.name, values.get(i.name)!.data]));
    const f = MockProver.run(chain.k, new ModelCircuit(s.params, inputs), instances).verify();
    if (f.length) failures.push({ segment: s.name, failures: f });
  });
  const count = failures.reduce((a, f) => a + f.failures.length, 0);
  const what = `${settings.name} as ${chain.segments.length} linked segments (k = ${chain.k})`;
  if (has(args, 'json')) {
    io.out(JSON.stringify({ ok: count === 0, model: settings.name, k: chain.k, segments: chain.segments.length, failures: failures.flatMap((f) => f.failures.slice(0, 100).map((x) => `${f.segment}: ${x.message}`)).slice(0, 100), count }));
  } else if (count === 0) io.out(`mock OK: ${what}: every gate, lookup and copy constraint holds in each segment`);
  else {
    io.out(`mock FAILED: ${what}: ${count} failure(s) in ${failures.map((f) => f.segment).join(', ')}`);
    for (const f of failures) io.out(`${f.segment}:\n${formatFailures(f.failures)}`);
  }
  return count === 0 ? EXIT_OK : EXIT_REJECTED;
}
