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
 * Embedding tables (gather) are always fixed lookup tables.
 *
 * Instance column layout: public inputs (graph order), then public weights
 * (graph order, those loaded), then public outputs (graph order), each
 * row-major, values as signed integers embedded in Fr.
 */
import { Fr } from '../field/bn254.js';
import {
  AttentionChip,
  type AssignedTensor,
  assignedTensor,
  ElementwiseChip,
  EmbeddingChip,
  type FixedPointTensor,
  gather as gatherView,
  GadgetContext,
  LayerNormChip,
  LookupFnChip,
  MatmulChip,
  ReluChip,
  RescaleChip,
  reshape as reshapeView,
  SoftmaxChip,
  TensorLoader,
} from '../gadgets/index.js';
import type { Cell, Circuit, ConstraintSystem, FixedColumn, Layouter } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { DEFAULT_VISIBILITY, type Graph, GraphError, inferShapes, numel, type TensorInfo, transposeIndices, type VisibilitySpec } from './ir.js';
import { configureImportOp, synthesizeImportOp } from './compile-ops.js';
import { planReplicas, type ReplicaPlan } from './replicas.js';
import { attentionParamsFor, geluTableSpec, layerNormParamsFor, type QTensor, QuantizedWeights, type QuantParams, softmaxParamsFor } from './quant.js';

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
}

export interface CompileOptions {
  readonly visibility?: Partial<VisibilitySpec>;
  readonly fixedColumns?: number;
  readonly fixedValues?: ReadonlyMap<string, BigInt64Array>;
  readonly weights?: QuantizedWeights;
}

export function compileModel(graph: Graph, quant: QuantParams, options: CompileOptions = {}): ModelCircuitParams {
  const visibility = { ...DEFAULT_VISIBILITY, ...options.visibility };
  const info = inferShapes(graph);
  for (const n of graph.nodes) {
    if (n.op === 'gather' && visibility.weights !== 'fixed') {
      throw new GraphError(`node ${n.name}: an embedding (gather) needs fixed weights (its table is a fixed lookup table); got weights visibility '${visibility.weights}'`);
    }
  }
  return {
    graph,
    quant,
    visibility,
    weights: options.weights ?? new QuantizedWeights(graph, quant.scale),
    fixedColumns: options.fixedColumns ?? 1,
    fixedValues: options.fixedValues ?? new Map(),
    info,
  };
}

/** Weights loaded as tensors (used by some op other than as an embedding table). */
export function loadedWeights(p: ModelCircuitParams): string[] {
  const used = new Set<string>();
  for (const n of p.graph.nodes) n.inputs.forEach((name, i) => !(n.op === 'gather' && i === 0) && used.add(name));
  return p.graph.weights.filter((w) => used.has(w.name)).map((w) => w.name);
}

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
  if (p.visibility.input === 'public') p.graph.inputs.forEach((i) => push(i.name, 'input'));
  if (p.visibility.weights === 'public') loadedWeights(p).forEach((w) => push(w, 'weight'));
  if (p.visibility.output === 'public') p.graph.outputs.forEach((o) => push(o, 'output'));
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
}

/** The chip key for each node's work (shared across nodes with equal keys). */
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
      (p.visibility.weights === 'fixed' && loadedWeights(p).length > 0) || p.visibility.input === 'fixed' || p.visibility.output === 'fixed';
    if (needsFixed) {
      for (let i = 0; i < p.fixedColumns; i++) {
        const c = cs.fixedColumn({ name: `fixed.tensor${i}` });
        cs.enableEquality(c);
        fixed.push(c);
      }
    }
    const chips = new Map<string, unknown>();
    const replicas = planReplicas(p.graph.nodes, p.info);
    let node = 0;
    // chip `key` for the current node: its replica (own columns) from the replica plan
    const chip = <T>(key: string, make: (name: string) => T): T => {
      const r = replicas.replica(node, key);
      const id = r ? `${key}#${r}` : key;
      if (!chips.has(id)) chips.set(id, make(r ? `${key.replace(/:.*/, '')}#${r}` : key.replace(/:.*/, '')));
      return chips.get(id) as T;
    };
    const s = q.scale;
    const B = q.bits;
    for (; node < p.graph.nodes.length; node++) {
      const n = p.graph.nodes[node]!;
      const shape = p.info.get(n.output)!.shape;
      const width = shape[shape.length - 1]!;
      switch (n.op) {
        case 'matmul':
          chip('matmul', (name) => MatmulChip.configure(ctx, { name }));
          chip('rescale', (name) => RescaleChip.configure(ctx, { shift: s, outBits: B, name }));
          if (n.inputs[2]) chip('add', (name) => ElementwiseChip.configure(ctx, { op: 'add', outBits: B, name }));
          break;
        case 'add':
          chip('add', (name) => ElementwiseChip.configure(ctx, { op: 'add', outBits: B, name }));
          break;
        case 'mul':
          chip('mul', (name) => ElementwiseChip.configure(ctx, { op: 'mul', shift: s, outBits: B, name }));
          break;
        case 'relu':
          chip('relu', (name) => ReluChip.configure(ctx, { bits: B, name }));
          break;
        case 'gelu':
          chip('gelu', (name) => LookupFnChip.configure(ctx, geluTableSpec(q), name));
          break;
        case 'softmax':
          chip(`softmax${width}`, (name) => SoftmaxChip.configure(ctx, softmaxParamsFor(q, width, name)));
          break;
        case 'layernorm':
          chip(`layernorm${width}`, (name) => LayerNormChip.configure(ctx, layerNormParamsFor(q, width, name, n.attrs.eps)));
          chip('mul', (name) => ElementwiseChip.configure(ctx, { op: 'mul', shift: s, outBits: B, name }));
          chip('add', (name) => ElementwiseChip.configure(ctx, { op: 'add', outBits: B, name }));
          break;
        case 'attention':
          chip(`attention${shape.join('x')}`, (name) => AttentionChip.configure(ctx, attentionParamsFor(q, shape, name)));
          break;
        case 'gather': {
          const table = n.inputs[0]!;
          const w = p.info.get(table)!.shape;
          chip(`embed:${table}`, () => EmbeddingChip.configure(ctx, lazyTensor(w, s, () => p.weights.get(table)), `embed.${table}`));
          break;
        }
        case 'reshape':
        case 'transpose':
        case 'slice':
          break;
        case 'view':
        case 'rowmax':
        case 'fn':
          configureImportOp(ctx, q, n, chip);
          break;
      }
    }
    return { ctx, loader, fixed, chips, replicas };
  }

  synthesize(layouter: Layouter, config: ModelConfig): void {
    const p = this.params;
    const { ctx, loader } = config;
    const s = p.quant.scale;
    const chips = config.chips;
    let node = 0;
    const get = <T>(key: string) => {
      const r = config.replicas.replica(node, key);
      return chips.get(r ? `${key}#${r}` : key) as T;
    };
    config.ctx.assignTables(layouter);
    const env = new Map<string, AssignedTensor>();
    const layout = instanceLayout(p);
    const offsetOf = (name: string) => layout.find((x) => x.name === name)!.offset;

    for (const i of p.graph.inputs) {
      const scale = i.kind === 'ids' ? 0 : s;
      let t: AssignedTensor;
      if (p.visibility.input === 'fixed') t = this.loadFixed(layouter, config, i.name, i.shape, scale, this.fixedValue(i.name));
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
      if (p.visibility.weights === 'fixed') t = this.loadFixed(layouter, config, name, shape, s, p.weights.get(name));
      else {
        const known = layouter.hasWitness ? { shape, data: p.weights.get(name), scale: s } : undefined;
        t = loader.load(layouter, name, shape, s, known);
        if (p.visibility.weights === 'public') loader.expose(layouter, t, offsetOf(name));
      }
      env.set(name, t);
    }

    const broadcastTo = (b: AssignedTensor, shape: readonly number[]) =>
      b.cells.length === numel(shape) ? reshapeView(b, shape) : gatherView(b, Array.from({ length: numel(shape) }, (_, i) => i % b.cells.length), shape);

    for (; node < p.graph.nodes.length; node++) {
      const n = p.graph.nodes[node]!;
      const x = n.inputs.map((name) => env.get(name)!);
      const shape = p.info.get(n.output)!.shape;
      const width = shape[shape.length - 1]!;
      let out: AssignedTensor;
      switch (n.op) {
        case 'matmul': {
          const raw = get<MatmulChip>('matmul').assign(layouter, x[0]!, x[1]!);
          out = get<RescaleChip>('rescale').assign(layouter, raw, s);
          if (x[2]) out = get<ElementwiseChip>('add').assign(layouter, out, broadcastTo(x[2], shape));
          break;
        }
        case 'add':
          out = get<ElementwiseChip>('add').assign(layouter, x[0]!, broadcastTo(x[1]!, shape));
          break;
        case 'mul':
          out = get<ElementwiseChip>('mul').assign(layouter, x[0]!, broadcastTo(x[1]!, shape));
          break;
        case 'relu':
          out = get<ReluChip>('relu').assign(layouter, x[0]!);
          break;
        case 'gelu':
          out = get<LookupFnChip>('gelu').assign(layouter, ctx, x[0]!);
          break;
        case 'softmax': {
          const rows = x[0]!.cells.length / width;
          out = reshapeView(get<SoftmaxChip>(`softmax${width}`).assign(layouter, ctx, reshapeView(x[0]!, [rows, width])), shape);
          break;
        }
        case 'layernorm': {
          const rows = x[0]!.cells.length / width;
          const y = get<LayerNormChip>(`layernorm${width}`).assign(layouter, ctx, reshapeView(x[0]!, [rows, width]));
          const scaled = get<ElementwiseChip>('mul').assign(layouter, y, broadcastTo(x[1]!, [rows, width]));
          out = reshapeView(get<ElementwiseChip>('add').assign(layouter, scaled, broadcastTo(x[2]!, [rows, width])), shape);
          break;
        }
        case 'reshape':
          out = reshapeView(x[0]!, shape);
          break;
        case 'transpose': {
          const src = p.info.get(n.inputs[0]!)!.shape;
          const perm = n.attrs.perm ?? src.map((_, i) => src.length - 1 - i);
          out = gatherView(x[0]!, transposeIndices(src, perm), shape);
          break;
        }
        case 'slice': {
          const row = numel(p.info.get(n.inputs[0]!)!.shape.slice(1));
          const start = (n.attrs.start ?? 0) * row;
          out = gatherView(x[0]!, Array.from({ length: numel(shape) }, (_, i) => start + i), shape);
          break;
        }
        case 'gather':
          out = get<EmbeddingChip>(`embed:${n.inputs[0]}`).assign(layouter, x[1]!);
          break;
        case 'attention':
          out = get<AttentionChip>(`attention${shape.join('x')}`).assign(layouter, ctx, x[0]!, x[1]!, x[2]!);
          break;
        case 'view':
        case 'rowmax':
        case 'fn':
          out = synthesizeImportOp(layouter, ctx, n, x, shape, get);
          break;
      }
      env.set(n.output, out);
    }

    this.outputs = new Map();
    for (const o of p.graph.outputs) {
      const t = env.get(o)!;
      this.outputs.set(o, t);
      if (p.visibility.output === 'public') loader.expose(layouter, t, offsetOf(o));
      else if (p.visibility.output === 'fixed') {
        const f = this.loadFixed(layouter, config, `${o} (claimed)`, t.shape, t.scale, this.fixedValue(o));
        layouter.region(`output ${o}`, (region) => t.cells.forEach((c, i) => region.constrainEqual(c, f.cells[i]!)));
      }
    }
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
