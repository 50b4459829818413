/**
 * Compile a graph into a circuit. Chips are shared: one chip per distinct
 * configuration (one Freivalds matmul chip for every matmul, one rescale, one
 * add, one LayerNorm per width, one attention chip per shape, …), so the
 * column count stays flat and the regions of all layers stack down the rows.
 *
 * Tensors enter by visibility:
 *   private  advice (the loader column), witness only;
 *   public   advice copied to the instance column (rows in `instanceLayout`);
 *   fixed    a fixed column filled at keygen: the values are part of the
 *            circuit, so the verifying key fingerprints them.
 *   committed (weights only) every matmul whose B is a weight becomes
 *            `matmul_committed`: B stays outside the circuit, committed row
 *            by row (models/committed.ts); the other weights are fixed. The
 *            weight fold v stays in the circuit (row 0 of its fold column).
 * Embedding tables (gather) are always fixed lookup tables.
 *
 * Linked segments (models/chain.ts): with `link.input` the graph's inputs
 * enter through a dedicated advice column `link.in` (rows 0 … in graph input
 * order, row-major), with `link.output` the outputs are copied into
 * `link.out` the same way. Each column holds nothing else, so two proofs
 * whose `link.out` and `link.in` hold the same tensor (and the same blinding)
 * commit to the same polynomial: the verifier links them by that commitment.
 * Linked inputs and outputs are neither public nor fixed.
 *
 * Instance column layout: public inputs (graph order), then public weights
 * (graph order, those loaded), then public outputs (graph order), each
 * row-major, values as signed integers embedded in Fr.
 */
import { Fr } from '../field/bn254.js';
import { type AssignedTensor, assignedTensor, type FixedPointTensor, GadgetContext, TensorLoader } from '../gadgets/index.js';
import type { AdviceColumn, Cell, Circuit, ConstraintSystem, FixedColumn, Layouter } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { DEFAULT_VISIBILITY, type Graph, GraphError, inferShapes, nodeShapes, numel, opDef, type TensorInfo, type VisibilitySpec } from './ir.js';
import { type ChipEnv, chipKey, chipName, type ChipOf, type ChipSpec, configureChip } from './ops/chips.js';
import type { CommittedEnv } from './ops/matmul-committed.js';
import { committedWeightNames, withCommittedMatmuls } from './committed-graph.js';
import { WeightFold } from '../gadgets/matmul-committed.js';
import { planReplicas, type ReplicaPlan } from './replicas.js';
import { type QTensor, QuantizedWeights, type QuantParams } from './quant.js';

export interface ModelCircuitParams {
  readonly graph: Graph;
  readonly quant: QuantParams;
  readonly visibility: VisibilitySpec;
  readonly weights: QuantizedWeights;
  /** Fixed columns that hold fixed tensors side by side (fewer rows; default 1). */
  readonly fixedColumns: number;
  /** Values of tensors whose visibility is 'fixed' but are not weights (fixed inputs / outputs). */
  readonly fixedValues: ReadonlyMap<string, BigInt64Array>;
  /** Tensor infos (shape inference), cached. */
  readonly info: ReadonlyMap<string, TensorInfo>;
  /** Inputs / outputs carried by the linked advice columns `link.in` / `link.out` (chained segments). */
  readonly link: LinkSpec;
}

/** Which side of a segment is linked to its neighbour (models/chain.ts). */
export interface LinkSpec {
  readonly input: boolean;
  readonly output: boolean;
}

/** Names of the linked advice columns (the chain finds them in the verifying key by name). */
export const LINK_IN = 'link.in';
export const LINK_OUT = 'link.out';

export interface CompileOptions {
  readonly visibility?: Partial<VisibilitySpec>;
  readonly fixedColumns?: number;
  readonly fixedValues?: ReadonlyMap<string, BigInt64Array>;
  readonly weights?: QuantizedWeights;
  /** Link the inputs / outputs through dedicated advice columns (default: neither). */
  readonly link?: Partial<LinkSpec>;
}

export function compileModel(graph: Graph, quant: QuantParams, options: CompileOptions = {}): ModelCircuitParams {
  const visibility = { ...DEFAULT_VISIBILITY, ...options.visibility };
  if (visibility.input === 'committed' || visibility.output === 'committed') {
    throw new GraphError(`compileModel: only weights can be 'committed', got input '${visibility.input}', output '${visibility.output}'`);
  }
  let weights = options.weights;
  if (visibility.weights === 'committed') ({ graph, weights } = withCommittedMatmuls(graph, weights));
  const info = inferShapes(graph);
  for (const n of graph.nodes) {
    if (opDef(n.op).tableInputs?.length && visibility.weights !== 'fixed' && visibility.weights !== 'committed') {
      throw new GraphError(`node ${n.name}: an embedding (${n.op}) needs fixed weights (its table is a fixed lookup table); got weights visibility '${visibility.weights}'`);
    }
  }
  return {
    graph,
    quant,
    visibility,
    weights: weights ?? new QuantizedWeights(graph, quant.scale),
    fixedColumns: options.fixedColumns ?? 1,
    fixedValues: options.fixedValues ?? new Map(),
    info,
    link: { input: options.link?.input ?? false, output: options.link?.output ?? false },
  };
}

/** Weights loaded as tensors (used by some op other than as an embedding table). */
export function loadedWeights(p: ModelCircuitParams): string[] {
  const used = new Set<string>();
  for (const n of p.graph.nodes) {
    const tables = opDef(n.op).tableInputs ?? [];
    n.inputs.forEach((name, i) => !tables.includes(i) && used.add(name));
  }
  return p.graph.weights.filter((w) => used.has(w.name)).map((w) => w.name);
}

export { committedWeightNames };

export interface InstanceSegment {
  readonly name: string;
  readonly role: 'input' | 'weight' | 'output';
  readonly offset: number;
  readonly length: number;
}

export function instanceLayout(p: ModelCircuitParams): InstanceSegment[] {
  const out: InstanceSegment[] = [];
  let offset = 0;
  const push = (name: string, role: InstanceSegment['role']) => {
    const length = numel(p.info.get(name)!.shape);
    out.push({ name, role, offset, length });
    offset += length;
  };
  if (p.visibility.input === 'public' && !p.link.input) p.graph.inputs.forEach((i) => push(i.name, 'input'));
  if (p.visibility.weights === 'public') loadedWeights(p).forEach((w) => push(w, 'weight'));
  if (p.visibility.output === 'public' && !p.link.output) p.graph.outputs.forEach((o) => push(o, 'output'));
  return out;
}

/** The instance column for a quantized evaluation (canonical Fr elements). */
export function publicInstances(p: ModelCircuitParams, values: ReadonlyMap<string, QTensor>): bigint[][] {
  const col: bigint[] = [];
  for (const seg of instanceLayout(p)) {
    const v = seg.role === 'weight' ? p.weights.get(seg.name) : values.get(seg.name)?.data;
    if (!v) throw new GraphError(`publicInstances: no value for "${seg.name}"`);
    for (const x of v) col.push(Fr.fromSigned(x));
  }
  return [col];
}

export interface ModelConfig {
  readonly ctx: GadgetContext;
  readonly loader: TensorLoader;
  readonly fixed: readonly FixedColumn[];
  readonly chips: ReadonlyMap<string, unknown>;
  readonly replicas: ReplicaPlan;
  /** The γ-fold of the committed weights (finished after the last node). */
  readonly fold?: WeightFold;
  /** The linked input / output columns (`params.link`). */
  readonly linkIn?: AdviceColumn;
  readonly linkOut?: AdviceColumn;
}

/** A fixed-point tensor whose values are read on first use (the embedding tables: keygen and proving only). */
function lazyTensor(shape: readonly number[], scale: number, data: () => BigInt64Array): FixedPointTensor {
  return Object.freeze({
    shape,
    scale,
    get data() {
      return data();
    },
  });
}

export class ModelCircuit implements Circuit<ModelConfig, ModelCircuitParams> {
  /** Output tensors as assigned by the last synthesis (values known when proving). */
  outputs = new Map<string, AssignedTensor>();

  constructor(
    readonly params: ModelCircuitParams,
    /** Quantized inputs by name (undefined at keygen). */
    readonly inputs?: Readonly<Record<string, BigInt64Array>>,
  ) {}

  configure(cs: ConstraintSystem, p: ModelCircuitParams): ModelConfig {
    const q = p.quant;
    cs.setFloorPlanner('packed');
    const ctx = new GadgetContext(cs, { limbBits: q.limbBits ?? 8 });
    const loader = TensorLoader.configure(ctx, { instance: true });
    const fixed: FixedColumn[] = [];
    const needsFixed =
      ((p.visibility.weights === 'fixed' || p.visibility.weights === 'committed') && loadedWeights(p).length > 0) ||
      p.visibility.input === 'fixed' ||
      p.visibility.output === 'fixed';
    if (needsFixed) {
      for (let i = 0; i < p.fixedColumns; i++) {
        const c = cs.fixedColumn({ name: `fixed.tensor${i}` });
        cs.enableEquality(c);
        fixed.push(c);
      }
    }
    const chips = new Map<string, unknown>();
    const replicas = planReplicas(p.graph.nodes, p.info);
    const weightTensor = (name: string) => lazyTensor(p.info.get(name)?.shape ?? [], q.scale, () => p.weights.get(name));
    const committedNames = committedWeightNames(p);
    let fold: WeightFold | undefined;
    const committed: CommittedEnv = {
      fold: () => (fold ??= WeightFold.configure(ctx)),
      index: (name) => committedNames.indexOf(name),
      tensor: weightTensor,
    };
    const env: ChipEnv = { ctx, quant: q, weightTensor, ...(committedNames.length ? { committed } : {}) };
    // each node's chips, in the order its definition lists them (the circuit's column order); one chip per key and replica
    p.graph.nodes.forEach((n, node) => {
      for (const spec of opDef(n.op).chips(nodeShapes(n, p.info), q)) {
        const key = chipKey(spec);
        const r = replicas.replica(node, key);
        const id = r ? `${key}#${r}` : key;
        if (!chips.has(id)) chips.set(id, configureChip(spec, env, chipName(spec, r)));
      }
    });
    const made = fold as WeightFold | undefined; // set while the chips above were configured
    const linked = (name: string) => {
      const c = cs.adviceColumn({ name });
      cs.enableEquality(c);
      return c;
    };
    const linkIn = p.link.input ? linked(LINK_IN) : undefined;
    const linkOut = p.link.output ? linked(LINK_OUT) : undefined;
    return { ctx, loader, fixed, chips, replicas, ...(made ? { fold: made } : {}), ...(linkIn ? { linkIn } : {}), ...(linkOut ? { linkOut } : {}) };
  }

  synthesize(layouter: Layouter, config: ModelConfig): void {
    const p = this.params;
    const { ctx, loader } = config;
    const s = p.quant.scale;
    const chips = config.chips;
    config.ctx.assignTables(layouter);
    const env = new Map<string, AssignedTensor>();
    const layout = instanceLayout(p);
    const offsetOf = (name: string) => layout.find((x) => x.name === name)!.offset;

    const linkedIn = config.linkIn ? this.loadLinked(layouter, config.linkIn) : undefined;
    for (const [index, i] of p.graph.inputs.entries()) {
      const scale = i.kind === 'ids' ? 0 : s;
      let t: AssignedTensor;
      if (linkedIn) t = linkedIn[index]!;
      else if (p.visibility.input === 'fixed') t = this.loadFixed(layouter, config, i.name, i.shape, scale, this.fixedValue(i.name));
      else {
        const v = this.inputs?.[i.name];
        t = loader.load(layouter, i.name, i.shape, scale, v ? { shape: i.shape, data: v, scale } : undefined);
        if (p.visibility.input === 'public') loader.expose(layouter, t, offsetOf(i.name));
      }
      env.set(i.name, t);
    }
    for (const name of loadedWeights(p)) {
      const shape = p.info.get(name)!.shape;
      let t: AssignedTensor;
      if (p.visibility.weights === 'fixed' || p.visibility.weights === 'committed') t = this.loadFixed(layouter, config, name, shape, s, p.weights.get(name));
      else {
        const known = layouter.hasWitness ? { shape, data: p.weights.get(name), scale: s } : undefined;
        t = loader.load(layouter, name, shape, s, known);
        if (p.visibility.weights === 'public') loader.expose(layouter, t, offsetOf(name));
      }
      env.set(name, t);
    }

    p.graph.nodes.forEach((n, node) => {
      const def = opDef(n.op);
      const x = n.inputs.map((name, i) => {
        if (def.tableInputs?.includes(i)) return undefined;
        const t = env.get(name);
        if (!t) throw new GraphError(`node ${n.name}: input "${name}" was not assigned`);
        return t;
      });
      const io = nodeShapes(n, p.info);
      const chip = <S extends ChipSpec>(spec: S): ChipOf<S> => {
        const key = chipKey(spec);
        const r = config.replicas.replica(node, key);
        const c = chips.get(r ? `${key}#${r}` : key);
        if (c === undefined) throw new GraphError(`node ${n.name} (${n.op}): chip ${key} was not configured (missing from the op's chips list)`);
        return c as ChipOf<S>;
      };
      const input = (i: number) => {
        const t = x[i];
        if (!t) throw new GraphError(`node ${n.name} (${n.op}): input ${i} is not a loaded tensor`);
        return t;
      };
      env.set(n.output, def.synthesize({ node: n, x, shape: io.output, io, layouter, ctx, quant: p.quant, input, chip }));
    });

    config.fold?.finish(layouter);

    this.outputs = new Map();
    if (config.linkOut) this.storeLinked(layouter, config.linkOut, p.graph.outputs.map((o) => env.get(o)!));
    for (const o of p.graph.outputs) {
      const t = env.get(o)!;
      this.outputs.set(o, t);
      if (config.linkOut) continue;
      if (p.visibility.output === 'public') loader.expose(layouter, t, offsetOf(o));
      else if (p.visibility.output === 'fixed') {
        const f = this.loadFixed(layouter, config, `${o} (claimed)`, t.shape, t.scale, this.fixedValue(o));
        layouter.region(`output ${o}`, (region) => t.cells.forEach((c, i) => region.constrainEqual(c, f.cells[i]!)));
      }
    }
  }

  /** The graph's inputs, row-major one after another from row 0 of `link.in` (the column holds nothing else). */
  private loadLinked(layouter: Layouter, column: AdviceColumn): AssignedTensor[] {
    const p = this.params;
    return layouter.region('link in', (region) => {
      let row = 0;
      return p.graph.inputs.map((i) => {
        const n = numel(i.shape);
        const scale = i.kind === 'ids' ? 0 : p.quant.scale;
        const data = this.inputs?.[i.name];
        if (data && data.length !== n) throw new GraphError(`linked input ${i.name}: expected ${n} values, got ${data.length}`);
        const values = Value.fromOptional(data);
        const span = region.assignAdviceColumn(column, row, values, n);
        row += n;
        return assignedTensor(i.shape, scale, Array.from({ length: n }, (_, j) => span.cell(j)), values);
      });
    });
  }

  /** The outputs copied, row-major one after another, into `link.out` from row 0. */
  private storeLinked(layouter: Layouter, column: AdviceColumn, outputs: readonly AssignedTensor[]): void {
    layouter.region('link out', (region) => {
      let row = 0;
      for (const t of outputs) {
        const n = t.cells.length;
        const span = region.assignAdviceColumn(column, row, t.values, n);
        t.cells.forEach((c, j) => region.constrainEqual(c, span.cell(j)));
        row += n;
      }
    });
  }

  private fixedValue(name: string): BigInt64Array {
    const v = this.params.fixedValues.get(name);
    if (!v) throw new GraphError(`model circuit: tensor "${name}" is fixed but has no value in fixedValues`);
    return v;
  }

  /** Fixed tensor: entries spread over the fixed columns, row-major (entry i in column i mod C). */
  private loadFixed(layouter: Layouter, config: ModelConfig, name: string, shape: readonly number[], scale: number, data: BigInt64Array): AssignedTensor {
    const cols = config.fixed;
    const C = cols.length;
    const n = numel(shape);
    const cells: Cell[] = layouter.region(`fixed ${name}`, (region) => {
      const spans = cols.map((col, c) => {
        const count = Math.max(0, Math.ceil((n - c) / C));
        const vals = BigInt64Array.from({ length: count }, (_, r) => data[r * C + c]!);
        return count ? region.assignFixedColumn(col, 0, vals) : undefined;
      });
      return Array.from({ length: n }, (_, i) => spans[i % C]!.cell(Math.floor(i / C)));
    });
    return assignedTensor(shape, scale, cells, Value.known(data));
  }
}
