/**
 * `zktensor mock`: the MockProver (no cryptography) on one input — every
 * gate, lookup and copy checked on the synthesized table, failures printed
 * by name (gate, region, row, cells). The circuit is the one settings.json
 * pins (`--setup DIR` / `--settings FILE`), or one built from setup's
 * flags (`--model …`, calibrated as setup would). `--instances proof.json`
 * checks the witness against a proof file's public values instead of its
 * own (say, to see why a proof's public values do not fit an input).
 * Exit 0 satisfied, 1 failures.
 */
import { join } from 'node:path';
import { ModelCircuit } from '../models/index.js';
import { formatFailures, MockProver } from '../plonkish/frontend/index.js';
import { type Args, type CommandSpec, flag, has, readText, requireFlag } from './args.js';
import { type CommandIo, EXIT_OK, EXIT_REJECTED } from './common.js';
import { UsageError } from './errors.js';
import { checkInputFile } from './input.js';
import { type CompiledModel, compileSource, type ModelSource, sourceFromSettings } from './model-source.js';
import { parseProofFile } from './proof-file.js';
import { checkFits } from './resources.js';
import { readSettings, type Settings } from './settings.js';
import { statementFromArgs } from './statement.js';
import { witnessFor } from './witness.js';

export const MOCK: CommandSpec = {
  name: 'mock',
  summary: 'check the circuit on an input without proving (named failures)',
  help: `usage: zktensor mock (--setup DIR | --settings FILE | --model M [setup options]) --input … [--instances proof.json]

  --setup DIR / --settings FILE   the circuit setup pinned
  --model M …                     or build it as setup would (with settings: the moved ONNX file) (--tokens, --weights, --dims,
                                  --calibration, --scale, --visibility)
  --input …                       as for prove
  --instances FILE                check against this proof file's public values
  --force                         ignore the memory estimate   --json  a JSON result
Exit 0 when every constraint holds, 1 when some fail (each printed by name).`,
  options: {
    setup: 'string', settings: 'string', model: 'string', tokens: 'string', weights: 'string', dims: 'string', calibration: 'string', scale: 'string',
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
