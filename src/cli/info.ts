/**
 * `zktensor info`: a model's cost without proving — rows, k, columns,
 * gates and lookups, time and memory estimates (models/cost.ts), and
 * whether this machine can hold it. A model that would be proved as linked
 * segments (`--split`, as setup decides it: split.ts) also gets the cost of
 * each distinct segment circuit at the chain's k and the chain's totals.
 */
import { totalmem } from 'node:os';
import { compileModel, type CostEstimate, getPreset, modelRows, numel } from '../models/index.js';
import { type Args, type CommandSpec, flag, has } from './args.js';
import { type CommandIo, EXIT_OK } from './common.js';
import { UsageError } from './errors.js';
import { parseTokenInput } from './input.js';
import { isModelFile } from './model-source.js';
import { formatBytes } from './resources.js';
import { chainCostLines, type ChainEstimate, chainEstimate, compileSplit, decideSplit, type SplitDecision, splitMode } from './split.js';
import { statementFromArgs } from './statement.js';

export const INFO: CommandSpec = {
  name: 'info',
  summary: 'a model\'s cost estimate (rows, k, time, memory), no proving',
  help: `usage: zktensor info --model <preset|model.onnx> [--tokens N | --input …] [options] [--json]

  --tokens N / --input …   presets: the sequence length (or an input to take it from)
  --calibration FILE       ONNX: sample inputs (or --input: one sample)
  --weights, --dims, --scale, --limb-bits, --visibility   as for setup
  --split auto|layers|none as for setup (auto: a GPT-2 model too large for this machine
                           as one circuit is shown as linked per-layer segments too)`,
  options: { model: 'string', tokens: 'string', input: 'string', weights: 'string', dims: 'string', scale: 'string', 'limb-bits': 'string', visibility: 'string', calibration: 'string', split: 'string', json: 'boolean' },
};

const time = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(0)} days`);

const byOp = (rows: Readonly<Record<string, number>>) => Object.entries(rows).map(([k, v]) => `${k} ${v}`).join(', ');

function formatCost(c: CostEstimate, header: string[], scale: number, fixed?: RowsBefore): string[] {
  const mem = totalmem();
  return [
    ...header,
    `quantization: scale 2^${scale}; ${c.parameters} parameters`,
    `rows: ${c.rows} (regions ${c.regionRows}, largest table ${c.tableRows}) → k = ${c.k}`,
    `rows by op: ${byOp(c.rowsByOp)}`,
    ...(fixed ? [`rows by op with weights fixed (in the circuit) instead: ${byOp(fixed.byOp)} (regions ${fixed.regions})`] : []),
    `columns: advice ${c.columns.advice} (committed ${c.columns.committed}), fixed ${c.columns.fixed}, selectors ${c.columns.selectors}, instance ${c.columns.instance}, permutation ${c.columns.permutation}`,
    `gates ${c.gates} (${c.constraints} constraints), lookups ${c.lookups}, degree ${c.degree}, public values ${c.instanceValues}`,
    `estimate (rough, fitted on nanogpt): keygen ${time(c.estimate.keygenSeconds)}, prove ${time(c.estimate.proveSeconds)}, memory ${formatBytes(c.estimate.memoryBytes)} (this machine: ${formatBytes(mem)}${c.estimate.memoryBytes > mem ? ' — too small' : ''})`,
    ...(c.tooLarge ? [`note: ${c.tooLarge}`] : []),
  ];
}

interface RowsBefore {
  readonly byOp: Record<string, number>;
  readonly regions: number;
}

/** With committed weights: the same model's rows with its weights fixed in the circuit (the before of the rewrite). */
function rowsWithFixedWeights(st: Awaited<ReturnType<typeof statementFromArgs>>): RowsBefore | undefined {
  if (st.visibility.weights !== 'committed') return undefined;
  const r = modelRows(compileModel(st.source.graph, st.quant, { visibility: { ...st.visibility, weights: 'fixed' }, fixedColumns: st.source.fixedColumns }));
  return { byOp: r.byOp, regions: r.regions };
}

export async function cmdInfo(args: Args, io: CommandIo): Promise<number> {
  const modelArg = flag(args, 'model');
  if (!modelArg) throw new UsageError('info: missing --model (e.g. --model gpt2-tiny)');
  const rawInput = flag(args, 'input');
  let overrides: { tokens?: number; calibration?: string } = {};
  let inputInfo: Record<string, unknown> = {};
  if (isModelFile(modelArg)) {
    if (rawInput !== undefined && flag(args, 'calibration') === undefined) overrides = { calibration: rawInput };
  } else if (rawInput !== undefined) {
    if (flag(args, 'tokens') !== undefined) throw new UsageError('info: give --tokens or --input, not both');
    const input = await parseTokenInput(getPreset(modelArg), rawInput);
    overrides = { tokens: input.ids.length };
    inputInfo = { tokenIds: input.ids, ...(input.tokenizer ? { tokenizer: input.tokenizer.kind } : {}) };
  }
  const mode = splitMode(args);
  const st = await statementFromArgs(args, overrides);
  // the model's own parameters (with committed weights the compiled graph also holds committed transposes of some)
  const cost = { ...st.compiled.cost, parameters: st.source.graph.weights.reduce((a, w) => a + numel(w.shape), 0) };
  const tokens = st.source.preset ? st.source.graph.inputs[0]?.shape[0] : undefined;
  const fixed = rowsWithFixedWeights(st);
  const decision = decideSplit(mode, { name: st.source.name, params: st.compiled.params, cost: st.compiled.cost, visibility: st.visibility });
  const chain = decision.cuts ? chainEstimate(compileSplit(st.source.name, st.compiled.params, decision.cuts)) : undefined;
  if (has(args, 'json')) {
    const split = chain ? { split: splitJson(chain, decision) } : decision.hint ? { splitNote: decision.hint } : {};
    io.out(JSON.stringify({ ...cost, ...(fixed ? { rowsByOpWeightsFixed: fixed.byOp, regionRowsWeightsFixed: fixed.regions } : {}), model: st.source.name, ...(st.source.preset ? { config: st.source.preset.config, tokens } : { dims: st.source.onnx?.dims }), ...inputInfo, quant: st.quant, machineMemoryBytes: totalmem(), ...split }));
    return EXIT_OK;
  }
  const p = st.source.preset;
  const header = p
    ? [`model ${p.name}: ${p.config.layers} layers, ${p.config.heads} heads, width ${p.config.width}, context ${p.config.context}, vocabulary ${p.config.vocabulary}`, `sequence: ${tokens} tokens`]
    : [`model ${modelArg}: ONNX opset ${st.source.onnx?.model.opset}, ${st.source.onnx?.model.graph.nodes.length} nodes; dims ${JSON.stringify(st.source.onnx?.dims)}`];
  formatCost(cost, header, st.quant.scale, fixed).forEach((l) => io.out(l));
  if (chain) [`as linked segments (${decision.why}):`, ...chainCostLines(chain)].forEach((l) => io.out(l));
  else if (decision.hint) io.out(`note: ${decision.hint}`);
  return EXIT_OK;
}

/** The chain's estimate for --json: per distinct circuit its cost and segments, the totals, whether it fits. */
function splitJson(est: ChainEstimate, decision: SplitDecision): Record<string, unknown> {
  return {
    by: 'layers',
    why: decision.why,
    cuts: decision.cuts,
    segments: est.segments,
    k: est.k,
    srsK: est.srsK,
    keyOf: est.keyOf,
    circuits: est.circuits.map((c) => ({
      name: c.name,
      segments: c.segments,
      k: c.cost.k,
      rows: c.cost.rows,
      regionRows: c.cost.regionRows,
      rowsByOp: c.cost.rowsByOp,
      columns: c.cost.columns,
      keygenSeconds: c.keygenSeconds,
      proveSeconds: c.proveSeconds,
      memoryBytes: c.memoryBytes,
    })),
    keygenSeconds: est.keygenSeconds,
    proveSeconds: est.proveSeconds,
    memoryBytes: est.memoryBytes,
    fits: est.memoryBytes <= totalmem(),
  };
}
