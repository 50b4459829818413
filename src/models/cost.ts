/**
 * Cost estimate of a compiled model without proving (or synthesizing): rows
 * per op from the chips' row formulas, table sizes, columns and degree from
 * `configure` (which allocates no rows and never touches the weights), the
 * backend's argument layout (lookup and permutation helper columns), and
 * from those k, a time and a memory estimate.
 *
 * Row formulas: loads n entries (private/public) or ⌈n / fixedColumns⌉
 * (fixed tensors); each op's rows and tables are its definition's `cost`
 * (ops/<op>.ts, counted under the chip labels of ops/chips.ts).
 * Regions are packed side by side (floor-plan.ts) over chip replicas
 * (replicas.ts): the height is measured by a values-free synthesis when the
 * model has at most 2^23 region rows, else taken as the busiest replica's
 * share of the formulas; tables fill their own columns from row 0.
 * A test checks the estimate against the layouter on gpt2-tiny.
 *
 * Time and memory are rough: fitted on nanogpt on a 2-core machine
 * (prove ≈ PROVE_NS_PER_CELL · 2^k · committed advice columns, keygen ≈
 * KEYGEN_NS_PER_CELL · 2^k · fixed columns, memory ≈ 36 bytes per field
 * element in Lagrange and coefficient form plus one n-point part of the
 * extended coset per column for each of two threads — main and one worker).
 */
import { buildArgument } from '../plonkish/backend/argument.js';
import { extendedLog } from '../plonkish/backend/columns.js';
import { configure, floorPlan } from '../plonkish/frontend/index.js';
import { type ModelCircuitParams, ModelCircuit, instanceLayout, loadedWeights } from './compile.js';
import { nodeShapes, numel, opDef } from './ir.js';
import { chipLabel } from './ops/chips.js';

/** Fitted on nanogpt (k = 16, 331 committed and 186 fixed columns, 2 cores, one worker thread): prove ≈ 131 s, keygen ≈ 25–35 s. */
export const PROVE_NS_PER_CELL = 6_000;
export const KEYGEN_NS_PER_CELL = 2_600;
/** BN254's Fr has 2-adicity 28: no domain beyond 2^28 rows. */
export const MAX_K = 28;
const ELEMENT_BYTES = 36;
/** A packed affine G1 point (two Fq elements of 36 bytes). */
const G1_AFFINE_BYTES = 72;
/**
 * Fitted on measured peak RSS (one worker thread, 2 cores), against the
 * breakdown of `estimateProveMemoryBytes` before the overhead factor:
 *   gpt2-tiny (4 tokens, k = 11), keygen + prove in one process: 0.279 GiB, breakdown 0.077 GiB;
 *   nanogpt (64 tokens, k = 16), `zktensor prove` loading pk.bin (key + SRS): 6.44 GiB, breakdown 4.65 GiB;
 *   EZKL's nanoGPT ONNX (k = 16), keygen + prove in one process: 5.9 GiB, breakdown ≈ 4.6 GiB.
 * With 1.32 the estimate reads 6.6 % high, 1.5 % low and 7.5 % high on these
 * (the breakdown alone read 1.2–1.3× low on the big ones).
 */
export const RUNTIME_BYTES = 200 * 2 ** 20;
export const PROVE_MEMORY_OVERHEAD = 1.32;
/** Up to this many region rows the estimate measures the real floor plan (about a second per 10^6 rows). */
const MEASURE_ROWS = 1 << 23;

export interface CostEstimate {
  readonly model: string;
  /** Rows of all regions, by op kind. */
  readonly rowsByOp: Readonly<Record<string, number>>;
  readonly regionRows: number;
  /** Largest lookup table (rows). */
  readonly tableRows: number;
  readonly rows: number;
  readonly k: number;
  readonly blindingRows: number;
  readonly columns: {
    readonly advice: number;
    readonly fixed: number;
    readonly selectors: number;
    readonly instance: number;
    /** Advice columns the prover commits (advice + lookup m/helpers/φ + permutation z). */
    readonly committed: number;
    /** Permutation σ columns. */
    readonly permutation: number;
  };
  readonly gates: number;
  readonly constraints: number;
  readonly lookups: number;
  readonly degree: number;
  readonly instanceValues: number;
  readonly parameters: number;
  readonly estimate: { readonly keygenSeconds: number; readonly proveSeconds: number; readonly memoryBytes: number };
  /** What `estimate.memoryBytes` is computed from (`estimateProveMemoryBytes`). */
  readonly memory: ProveMemoryStats;
  /** Why this circuit cannot be proven in one proof (k > MAX_K), if so. */
  readonly tooLarge?: string;
}

/** What the prove memory estimate reads from a circuit (all in `CostEstimate`: k, columns, and the argument's extended-domain log). */
export interface ProveMemoryStats {
  readonly k: number;
  /** log2 of the extended coset's size over n (quotient degree). */
  readonly extendedLog: number;
  /** Columns the prover commits (advice + lookup helpers + permutation z). */
  readonly committedColumns: number;
  /** Fixed columns plus permutation σ columns (the proving key). */
  readonly fixedColumns: number;
  /** Advice columns of the synthesized witness. */
  readonly adviceColumns: number;
}

/**
 * Peak resident memory of one `prove` run (keygen in the same process
 * included), in bytes: the Node runtime and wasm arenas, then per column
 * Lagrange values and coefficients parked in JS memory plus one part of the
 * extended coset resident per thread (main and one worker: 4 × 36 bytes per
 * row), the witness (8 bytes per advice cell), one extended-coset quotient
 * part, and the SRS (monomial and Lagrange, packed affine G1); all times
 * PROVE_MEMORY_OVERHEAD for what the breakdown misses (garbage not yet
 * collected, transient NTT/MSM buffers, bigint views). Fitted on measured
 * peak RSS; see the constants. `zktensor prove` refuses a model whose
 * estimate exceeds the machine's memory.
 */
export function estimateProveMemoryBytes(s: ProveMemoryStats): number {
  const n = 2 ** s.k;
  const columns = ELEMENT_BYTES * n * 4 * (s.committedColumns + s.fixedColumns);
  const witness = 8 * n * s.adviceColumns;
  const quotient = ELEMENT_BYTES * n * 2 ** s.extendedLog;
  const srs = 2 * n * G1_AFFINE_BYTES;
  return RUNTIME_BYTES + PROVE_MEMORY_OVERHEAD * (columns + witness + quotient + srs);
}

export function modelRows(p: ModelCircuitParams): { byOp: Record<string, number>; regions: number; tables: number } {
  const by: Record<string, number> = {};
  const add = (k: string, r: number) => (by[k] = (by[k] ?? 0) + r);
  const C = p.fixedColumns;
  const fixedRows = (n: number) => Math.ceil(n / C);
  const q = p.quant;
  for (const i of p.graph.inputs) add('load', p.visibility.input === 'fixed' ? fixedRows(numel(i.shape)) : numel(i.shape));
  for (const w of loadedWeights(p)) {
    const n = numel(p.info.get(w)!.shape);
    add('load', p.visibility.weights === 'fixed' || p.visibility.weights === 'committed' ? fixedRows(n) : n);
  }
  if (p.visibility.output === 'fixed') for (const o of p.graph.outputs) add('load', fixedRows(numel(p.info.get(o)!.shape)));
  const tables: number[] = [2 ** (q.limbBits ?? 8)];
  // each op's own row formulas (ops/<op>.ts), counted under its chips' labels
  for (const node of p.graph.nodes) {
    const c = opDef(node.op).cost(nodeShapes(node, p.info), q);
    for (const [spec, rows] of c.rows) add(chipLabel(spec), rows);
    tables.push(...c.tables);
  }
  const regions = Object.values(by).reduce((a, b) => a + b, 0);
  return { byOp: by, regions, tables: Math.max(...tables) };
}

export function estimateCost(p: ModelCircuitParams): CostEstimate {
  const { byOp, regions, tables } = modelRows(p);
  const circuit = new ModelCircuit(p);
  const configured = configure(circuit);
  const { cs, compiled } = configured;
  // the packed floor plan: measured (a synthesis without values) when the model is small enough,
  // else the busiest chip replica's share of the row formulas
  const measured = regions <= MEASURE_ROWS;
  const publicValues = instanceLayout(p).reduce((a, seg) => a + seg.length, 0);
  const rows = Math.max(tables, publicValues, measured ? floorPlan(circuit, configured, MAX_K).height : Math.max(byOp.load ?? 0, configured.config.replicas.maxLoad));
  const blinding = cs.blindingFactors() + 1;
  let k = 1;
  while (2 ** k - blinding < rows || 2 ** k < compiled.minimumRows) k++;
  const arg = buildArgument(compiled, Math.min(k, MAX_K));
  const e = extendedLog(arg);
  const n = 2 ** k;
  const committed = arg.numAdvice;
  const sigma = arg.permutation.sigma.length;
  const fixedAll = compiled.fixed.length + sigma;
  const memory: ProveMemoryStats = { k, extendedLog: e, committedColumns: committed, fixedColumns: fixedAll, adviceColumns: cs.advice.length };
  const parameters = p.graph.weights.reduce((a, w) => a + numel(w.shape), 0);
  return {
    model: p.graph.name,
    rowsByOp: byOp,
    regionRows: regions,
    tableRows: tables,
    rows,
    k,
    blindingRows: blinding,
    columns: {
      advice: cs.advice.length,
      fixed: cs.fixed.length,
      selectors: cs.selectors.length,
      instance: cs.instance.length,
      committed,
      permutation: sigma,
    },
    gates: cs.gates.length,
    constraints: cs.gates.reduce((a, g) => a + g.constraints.length, 0),
    lookups: cs.lookups.length,
    degree: arg.degree,
    instanceValues: instanceLayout(p).reduce((a, s) => a + s.length, 0),
    parameters,
    estimate: {
      keygenSeconds: (KEYGEN_NS_PER_CELL * 1e-9 * n * fixedAll),
      proveSeconds: (PROVE_NS_PER_CELL * 1e-9 * n * committed),
      memoryBytes: estimateProveMemoryBytes(memory),
    },
    memory,
    ...(k > MAX_K ? { tooLarge: `k = ${k} exceeds ${MAX_K} (the 2-adicity of BN254's Fr): split the model across several proofs` } : {}),
  };
}
