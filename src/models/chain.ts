/**
 * Linked per-segment proofs: a model too large for one circuit (GPT-2 124M)
 * is cut at tensors that separate it (the residual stream between
 * transformer blocks) and each segment is proved on its own, in sequence,
 * so the prover holds one segment's witness at a time.
 *
 *   split    `splitGraph` cuts the (compiled, rewritten) graph at the named
 *            tensors: segment j reads only cut j − 1 (or the graph's inputs)
 *            and the weights, and ends at cut j (or the graph's outputs);
 *   link     a cut tensor leaves segment j through its advice column
 *            `link.out` and enters segment j + 1 through `link.in`
 *            (compile.ts), rows 0 … in row-major order, nothing else in
 *            either column, and the prover gives both columns the same secret
 *            random blinding rows: the two proofs then commit to the same
 *            polynomial, and the verifier checks that the two commitments
 *            are equal (KZG is binding: equal commitments, equal columns).
 *            The boundary tensor stays hidden: it is never published, and the
 *            two proofs open the polynomial at 2 points in all, fewer than its
 *            4 + 1 random rows;
 *   keys     every segment is compiled at one k (the largest any segment
 *            needs: linked columns must live on the same domain). Segments
 *            with equal structure and no fixed weights (GPT-2's blocks once
 *            their weights are committed) share one proving key;
 *   weights  each segment's matrices are committed on their own (its own
 *            fingerprint, bound into its proof's transcript, one folded
 *            opening per segment proof: models/committed.ts), hiding by
 *            default (the prover keeps the blinds, `ChainKeys.secrets`).
 *
 * The verifier holds, from setup, the ordered list of segments with the
 * verifying key and weight commitments of each; a chain proof supplies
 * only the segment proofs (circuit proof and opening each). Public values
 * are the first segment's public inputs and the last one's public outputs.
 */
import type { AffinePoint } from '../curve/types.js';
import type { KzgParams } from '../pcs/kzg.js';
import { keygen, type ProvingKey } from '../plonkish/backend/keygen.js';
import type { VerifierParams } from '../plonkish/backend/verifier.js';
import type { VerifyingKey } from '../plonkish/backend/vk.js';
import { Fr } from '../field/index.js';
import { cryptoRandom } from '../plonkish/backend/prover-state.js';
import { commitModelWeights, type CommittedProof, type ModelWeightCommitment, type ModelWeightSecrets, proveCommitted, verifyCommitted } from './committed.js';
import { committedWeightNames, compileModel, LINK_IN, LINK_OUT, loadedWeights, ModelCircuit, type ModelCircuitParams, publicInstances } from './compile.js';
import { estimateCost } from './cost.js';
import { type Graph, GraphError, inferShapes, type InputDef, numel } from './ir.js';
import { type QTensor, QuantEvaluator } from './quant.js';

/** The graph of one segment and which of its sides are linked. */
export interface SegmentGraph {
  readonly graph: Graph;
  readonly link: { readonly input: boolean; readonly output: boolean };
}

/**
 * Cut `graph` (nodes in topological order) after the nodes producing
 * `cuts`, in order: cuts.length + 1 segments. Each segment must read only
 * the previous cut (the graph's inputs for the first), its weights and its
 * own nodes' outputs — a tensor crossing a cut otherwise is a GraphError
 * naming it.
 */
export function splitGraph(graph: Graph, cuts: readonly string[]): SegmentGraph[] {
  const producer = new Map(graph.nodes.map((n, i) => [n.output, i]));
  const ends = cuts.map((c, j) => {
    const i = producer.get(c);
    if (i === undefined) throw new GraphError(`splitGraph: cut ${j} "${c}" is not the output of a node of ${graph.name}`);
    return i;
  });
  ends.forEach((e, j) => {
    if (j > 0 && e <= ends[j - 1]!) throw new GraphError(`splitGraph: cut "${cuts[j]}" comes before cut "${cuts[j - 1]}" in the graph's node order; cuts must be in order`);
  });
  const weights = new Map(graph.weights.map((w) => [w.name, w]));
  const info = inferShapes(graph);
  const shapes = new Map([...info].map(([name, t]) => [name, t.shape]));
  const bounds = [-1, ...ends, graph.nodes.length - 1];
  const out: SegmentGraph[] = [];
  for (let j = 0; j + 1 < bounds.length; j++) {
    const nodes = graph.nodes.slice(bounds[j]! + 1, bounds[j + 1]! + 1);
    if (!nodes.length) throw new GraphError(`splitGraph: segment ${j} of ${graph.name} has no nodes (two cuts at the same tensor?)`);
    const first = j === 0;
    const last = j + 1 === bounds.length - 1;
    const inputs: InputDef[] = first ? [...graph.inputs] : [{ name: cuts[j - 1]!, shape: shapes.get(cuts[j - 1]!)!, kind: 'real' }];
    const known = new Set([...inputs.map((i) => i.name)]);
    const used = new Set<string>();
    for (const n of nodes) {
      for (const x of n.inputs) {
        if (known.has(x)) continue;
        if (weights.has(x)) {
          used.add(x);
          continue;
        }
        throw new GraphError(`splitGraph: node ${n.name} in segment ${j} reads "${x}", which crosses a cut (only "${inputs.map((i) => i.name).join('", "')}" may); cut elsewhere`);
      }
      known.add(n.output);
    }
    const outputs = last ? [...graph.outputs] : [cuts[j]!];
    if (last) for (const o of outputs) if (!known.has(o)) throw new GraphError(`splitGraph: output "${o}" is not computed in the last segment (it must come after the last cut)`);
    out.push({
      graph: { name: `${graph.name}[${j}]`, inputs, weights: graph.weights.filter((w) => used.has(w.name)), nodes, outputs },
      link: { input: !first, output: !last },
    });
  }
  return out;
}

/** GPT-2's cuts (models/builders.ts): after the embedding and after every block. */
export function gpt2Cuts(graph: Graph): string[] {
  const byName = new Map(graph.nodes.map((n) => [n.name, n.output]));
  const cuts: string[] = [];
  const embed = byName.get('embed');
  if (embed === undefined) throw new GraphError(`gpt2Cuts: ${graph.name} has no node "embed" (not a GPT-2 graph from buildGpt2?)`);
  cuts.push(embed);
  for (let l = 0; byName.has(`h${l}.res2`); l++) cuts.push(byName.get(`h${l}.res2`)!);
  if (cuts.length < 2) throw new GraphError(`gpt2Cuts: ${graph.name} has no block outputs h0.res2, h1.res2, …`);
  return cuts;
}

/** Rows a segment's fixed tensors may fill per fixed column (2^15: segments run at k ≥ 16 for real models). */
const SEGMENT_ROWS = 2 ** 15;

/** One compiled segment. */
export interface ChainSegment {
  readonly name: string;
  readonly params: ModelCircuitParams;
  /** Segments with the same key share a proving key (same structure, no fixed weights). */
  readonly key: string;
}

/** A model compiled as linked segments, all at one k. */
export interface ChainModel {
  readonly model: ModelCircuitParams;
  readonly segments: readonly ChainSegment[];
  readonly k: number;
}

/**
 * A structural key: equal keys ⇔ equal circuits. Tensors are renamed by
 * first use, so blocks that differ only in names (h0.… vs h1.…) agree;
 * a segment that loads weights into fixed columns gets a key of its own
 * (the values are part of its circuit).
 */
function structureKey(name: string, p: ModelCircuitParams): string {
  if (loadedWeights(p).length) return `own:${name}`;
  const ids = new Map<string, number>();
  const id = (t: string) => {
    let i = ids.get(t);
    if (i === undefined) ids.set(t, (i = ids.size));
    return i;
  };
  const shape = (t: string) => p.info.get(t)?.shape ?? [];
  return JSON.stringify({
    inputs: p.graph.inputs.map((i) => [id(i.name), i.shape, i.kind, i.vocab ?? null]),
    nodes: p.graph.nodes.map((n) => [n.op, n.attrs, n.inputs.map((x) => [id(x), shape(x)]), id(n.output), shape(n.output)]),
    outputs: p.graph.outputs.map(id),
    committed: committedWeightNames(p).map(id),
    quant: p.quant,
    visibility: p.visibility,
    link: p.link,
    fixedColumns: p.fixedColumns,
  });
}

/**
 * Compile `model` (already compiled as one graph: its rewrites and weights
 * are kept) as segments cut at `cuts`, all at the largest k any segment
 * needs (at least `minK`).
 */
export function compileChain(model: ModelCircuitParams, cuts: readonly string[], options: { minK?: number } = {}): ChainModel {
  const parts = splitGraph(model.graph, cuts);
  const segments = parts.map((s, j) => {
    const compile = (fixedColumns: number) =>
      compileModel(s.graph, model.quant, { visibility: model.visibility, fixedColumns, fixedValues: model.fixedValues, weights: model.weights, link: s.link });
    let params = compile(model.fixedColumns);
    // the model's fixed columns were sized for all its fixed weights; a segment loads a few (GPT-2's first: wpe), or none
    const loaded = loadedWeights(params).reduce((a, w) => a + numel(params.info.get(w)?.shape ?? []), 0);
    const columns = Math.max(1, Math.min(model.fixedColumns, Math.ceil(loaded / SEGMENT_ROWS)));
    if (columns !== model.fixedColumns) params = compile(columns);
    return { name: segmentName(parts.length, j), params };
  });
  let k = options.minK ?? 1;
  for (const s of segments) {
    const cost = estimateCost(s.params);
    if (cost.tooLarge) throw new GraphError(`compileChain: segment ${s.name}: ${cost.tooLarge}`);
    k = Math.max(k, cost.k);
  }
  for (const s of segments) {
    const linked = Math.max(...(s.params.link.input ? [s.params.graph.inputs.reduce((a, i) => a + numel(i.shape), 0)] : [0]), ...(s.params.link.output ? s.params.graph.outputs.map((o) => numel(s.params.info.get(o)!.shape)) : [0]));
    if (linked > 2 ** k - 16) throw new GraphError(`compileChain: segment ${s.name} links ${linked} values, more than one column of 2^${k} rows holds; cut at a smaller tensor`);
  }
  return { model, segments: segments.map((s) => ({ ...s, key: structureKey(s.name, s.params) })), k };
}

function segmentName(count: number, j: number): string {
  return j === 0 ? 'segment 0 (first)' : j === count - 1 ? `segment ${j} (last)` : `segment ${j}`;
}

/** Keys and weight commitments of a chain (setup). */
export interface ChainKeys {
  readonly k: number;
  /** Distinct proving keys; `keyOf[j]` is segment j's. */
  readonly pks: readonly ProvingKey[];
  readonly keyOf: readonly number[];
  /** Each segment's weight commitment (undefined: the segment has no committed weights). */
  readonly weights: readonly (ModelWeightCommitment | undefined)[];
  /** The prover's blinding scalars of each segment's hiding commitments (never the verifier's). */
  readonly secrets: readonly (ModelWeightSecrets | undefined)[];
}

/** What the verifier holds: per segment, its verifying key and weight commitment, in order. */
export interface ChainVerifyingKey {
  readonly k: number;
  readonly vks: readonly VerifyingKey[];
  readonly keyOf: readonly number[];
  readonly weights: readonly (ModelWeightCommitment | undefined)[];
}

export interface ChainSetupOptions {
  /** Called as each step starts: a description, steps done, steps in all. */
  readonly onStep?: (step: string, done: number, total: number) => void;
  /** Hiding weight commitments (default true: a private model's weights stay hidden from the verifier). */
  readonly hiding?: boolean;
}

/** Setup: keygen once per distinct segment structure, commit each segment's weights. */
export function setupChain(chain: ChainModel, kzg: KzgParams, options: ChainSetupOptions = {}): ChainKeys {
  if (kzg.k < chain.k) throw new GraphError(`setupChain: the SRS has 2^${kzg.k} powers, the chain needs k = ${chain.k}`);
  const byKey = new Map<string, number>();
  const pks: ProvingKey[] = [];
  const keyOf: number[] = [];
  const distinct = new Set(chain.segments.map((s) => s.key)).size;
  const total = distinct + chain.segments.length;
  let done = 0;
  for (const s of chain.segments) {
    let i = byKey.get(s.key);
    if (i === undefined) {
      options.onStep?.(`keygen ${s.name}`, done++, total);
      i = pks.length;
      pks.push(keygen(new ModelCircuit(s.params), kzg, chain.k));
      byKey.set(s.key, i);
    }
    keyOf.push(i);
  }
  const committed = chain.segments.map((s) => {
    options.onStep?.(`commit weights of ${s.name}`, done++, total);
    return committedWeightNames(s.params).length ? commitModelWeights(kzg, s.params, { hiding: options.hiding ?? true }) : undefined;
  });
  return { k: chain.k, pks, keyOf, weights: committed.map((c) => c?.commitment), secrets: committed.map((c) => c?.secrets) };
}

/** The verifier's part of the keys. */
export function chainVerifyingKey(keys: ChainKeys): ChainVerifyingKey {
  return { k: keys.k, vks: keys.pks.map((pk) => pk.vk), keyOf: keys.keyOf, weights: keys.weights };
}

/** A chain proof: one proof per segment (with its folded weight opening when the segment has committed weights). */
export interface ChainProof {
  readonly segments: readonly ChainSegmentProof[];
}
export interface ChainSegmentProof {
  readonly proof: Uint8Array;
  readonly opening?: CommittedProof['opening'];
}

/** The instance columns of segment j for the given tensor values (public inputs of the first, public outputs of the last). */
export function segmentInstances(segment: ChainSegment, values: ReadonlyMap<string, QTensor>): bigint[][] {
  return publicInstances(segment.params, values);
}

export interface ChainProveOptions {
  readonly onSegment?: (segment: string, index: number, total: number) => void;
  readonly random?: () => bigint;
}

/** Column index of a named advice column in a key's circuit. */
export function adviceIndex(vk: VerifyingKey, name: string): number | undefined {
  return vk.circuit.advice.find((c) => (c as { name?: string }).name === name)?.index;
}

/**
 * Prove every segment in order on the quantized inputs of the whole model
 * (`QuantEvaluator.quantizeInputs`). Returns the proof and every tensor's
 * value (the caller reads the outputs from it).
 */
export function proveChain(chain: ChainModel, keys: ChainKeys, qin: Readonly<Record<string, BigInt64Array>>, kzg: KzgParams, options: ChainProveOptions = {}): { proof: ChainProof; values: Map<string, QTensor> } {
  const values = new QuantEvaluator(chain.model.graph, chain.model.quant, chain.model.weights).run(qin);
  const random = options.random ?? cryptoRandom;
  const proofs: ChainSegmentProof[] = [];
  let carried: readonly bigint[] | undefined; // the blinding of the link into the current segment
  chain.segments.forEach((s, j) => {
    options.onSegment?.(s.name, j, chain.segments.length);
    const pk = keys.pks[keys.keyOf[j]!]!;
    const rows = pk.vk.circuit.blindingFactors + 1;
    const blinding = new Map<number, readonly bigint[]>();
    if (s.params.link.input) {
      const col = adviceIndex(pk.vk, LINK_IN);
      if (col === undefined || !carried) throw new GraphError(`proveChain: ${s.name} has no ${LINK_IN} column or no incoming link`);
      blinding.set(col, carried);
    }
    carried = undefined;
    if (s.params.link.output) {
      const col = adviceIndex(pk.vk, LINK_OUT);
      if (col === undefined) throw new GraphError(`proveChain: ${s.name} has no ${LINK_OUT} column`);
      carried = Array.from({ length: rows }, () => Fr.create(random()));
      blinding.set(col, carried);
    }
    const inputs = Object.fromEntries(s.params.graph.inputs.map((i) => [i.name, values.get(i.name)!.data]));
    const circuit = new ModelCircuit(s.params, inputs);
    const instances = segmentInstances(s, values);
    const w = keys.weights[j];
    if (w) {
      const secrets = keys.secrets[j];
      const r = proveCommitted(pk, circuit, instances, kzg, w, { blinding, ...(secrets ? { secrets } : {}), ...(options.random ? { random: options.random } : {}) });
      proofs.push({ proof: r.proof, opening: r.opening });
    } else {
      throw new GraphError(`proveChain: ${s.name} has no committed weights; chained proofs need weights visibility 'committed'`);
    }
  });
  return { proof: { segments: proofs }, values };
}

const samePoint = (a: AffinePoint | undefined, b: AffinePoint | undefined): boolean =>
  a !== undefined && b !== undefined && (a === null || b === null ? a === b : a.x === b.x && a.y === b.y);

export interface ChainVerifyResult {
  readonly ok: boolean;
  readonly reason?: string;
  /** Links checked (when ok). */
  readonly links?: number;
}

/** A segment as the link check sees it: its name, verifying key (which holds the link columns) and linked sides. */
export interface LinkedSegment {
  readonly name: string;
  readonly vk: VerifyingKey;
  readonly link: { readonly input: boolean; readonly output: boolean };
}

/**
 * Verify segments in order — `verifySegment(j)` checks segment j's proof
 * (circuit and weight opening) and returns its advice commitments — and
 * every link: segment j's `link.in` commitment must equal segment j − 1's
 * `link.out`, the columns found by name in the verifier's own keys. The
 * model layer (`verifyChain`) and the CLI (which holds no model) share it.
 * Never throws.
 */
export function verifyLinked(
  segments: readonly LinkedSegment[],
  verifySegment: (j: number) => { readonly ok: boolean; readonly reason?: string; readonly adviceCommitments?: readonly AffinePoint[] },
): ChainVerifyResult {
  try {
    let previousOut: AffinePoint | undefined;
    let links = 0;
    for (const [j, s] of segments.entries()) {
      const r = verifySegment(j);
      if (!r.ok) return { ok: false, reason: `${s.name}: ${r.reason ?? 'rejected'}` };
      const advice = r.adviceCommitments ?? [];
      if (s.link.input) {
        const col = adviceIndex(s.vk, LINK_IN);
        if (col === undefined || !samePoint(advice[col], previousOut)) {
          return { ok: false, reason: `${s.name}: its input is not the previous segment's output (the ${LINK_IN} commitment differs from the previous ${LINK_OUT})` };
        }
        links++;
      }
      previousOut = undefined;
      if (s.link.output) {
        const col = adviceIndex(s.vk, LINK_OUT);
        previousOut = col === undefined ? undefined : advice[col];
        if (previousOut === undefined) return { ok: false, reason: `${s.name}: the proof has no ${LINK_OUT} commitment` };
      }
    }
    return { ok: true, links };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/**
 * Verify a chain proof against the verifier's own keys and commitments:
 * each segment proof (circuit, weight binding, folded opening), then every
 * link (segment j's `link.out` commitment = segment j + 1's `link.in`).
 * `instances[j]` are segment j's instance columns (the first segment's
 * public inputs, the last one's public outputs, empty otherwise). Never throws.
 */
export function verifyChain(chain: ChainModel, vk: ChainVerifyingKey, proof: ChainProof, instances: readonly (readonly (readonly bigint[])[])[], vp: VerifierParams): ChainVerifyResult {
  const n = chain.segments.length;
  if (!proof || !Array.isArray(proof.segments) || proof.segments.length !== n) return { ok: false, reason: `chain: expected ${n} segment proofs, got ${proof?.segments?.length ?? 'none'}` };
  if (instances.length !== n) return { ok: false, reason: `chain: expected instances for ${n} segments, got ${instances.length}` };
  const keys = chain.segments.map((s, j) => vk.vks[vk.keyOf[j]!]);
  if (keys.some((k) => !k)) return { ok: false, reason: 'chain: a segment has no verifying key' };
  const segments = chain.segments.map((s, j) => ({ name: s.name, vk: keys[j]!, link: s.params.link }));
  return verifyLinked(segments, (j) => {
    const w = vk.weights[j];
    const sp = proof.segments[j]!;
    if (!w || !sp.opening) return { ok: false, reason: 'no weight commitment or opening' };
    return verifyCommitted(keys[j]!, { proof: sp.proof, opening: sp.opening }, instances[j]!, vp, w, chain.segments[j]!.params);
  });
}
