/**
 * Models proved as linked segments in the CLI (models/chain.ts underneath):
 * GPT-2 cut after the embedding and after every transformer block, each
 * segment proved on its own at one k, segment j's output linked to segment
 * j + 1's input by equal commitments.
 *
 *   decide    `--split auto` (default) splits a model gpt2Cuts accepts
 *             when its single circuit's memory estimate exceeds the
 *             machine's; `layers` always splits, `none` never (a model too
 *             large is then refused as before). A split needs
 *             weights=committed (each segment opens its own weights);
 *   estimate  per distinct circuit (first, block, last) its cost at the
 *             chain's k: keygen once per circuit, proving once per segment,
 *             memory of the largest segment plus the other keys the prover
 *             holds;
 *   settings  the "split" record (settings.ts): cuts, the distinct keys'
 *             fingerprints, each segment's key, weight fingerprint and
 *             slice of the public values;
 *   verify    `verifySegments` checks a chain proof without the model: per
 *             segment the circuit proof and its weight opening against
 *             vk.bin's key and commitments (committed-weights.ts), then
 *             each link (segment j's `link.out` commitment = segment j + 1's
 *             `link.in`). The segment list is the verifier's own (vk.bin and
 *             settings.json); the proof file brings only proofs, openings
 *             and the public values. Never throws.
 */
import { totalmem } from 'node:os';
import { type ChainKeys, type ChainModel, compileChain, gpt2Cuts, verifyLinked } from '../models/chain.js';
import {
  committedWeightNames,
  type CostEstimate,
  estimateCost,
  estimateProveMemoryBytes,
  GraphError,
  instanceLayout,
  KEYGEN_NS_PER_CELL,
  type ModelCircuitParams,
  PROVE_MEMORY_OVERHEAD,
  PROVE_NS_PER_CELL,
  type VisibilitySpec,
} from '../models/index.js';
import type { VerifierParams, VerifyingKey } from '../plonkish/backend/index.js';
import { type Args, flag } from './args.js';
import { verifyWithWeights } from './committed-weights.js';
import { TooLargeError, UsageError } from './errors.js';
import { hex } from './hash.js';
import { fileMagic, KeyFileError, type NamedCommitment } from './key-files.js';
import { CHAIN_PK_MAGIC, CHAIN_VK_MAGIC } from './chain-files.js';
import { checkFits, formatBytes } from './resources.js';
import { chainFingerprint, chainWeightFingerprint, fingerprintHex, type PublicSegment, type Settings, type SplitSettings } from './settings.js';

export type SplitMode = 'auto' | 'layers' | 'none';

/** `--split auto|layers|none` (default auto). */
export function splitMode(args: Args): SplitMode {
  const v = flag(args, 'split') ?? 'auto';
  if (v !== 'auto' && v !== 'layers' && v !== 'none') throw new UsageError(`--split: expected auto, layers or none, got "${v}"`);
  return v;
}

/** GPT-2's cuts of a compiled graph, or why it has none. */
export function layerCuts(params: ModelCircuitParams): { cuts: string[] } | { reason: string } {
  try {
    return { cuts: gpt2Cuts(params.graph) };
  } catch (e) {
    if (e instanceof GraphError) return { reason: e.message };
    throw e;
  }
}

export interface SplitDecision {
  /** The cuts when the model is to be split; absent: one circuit. */
  readonly cuts?: readonly string[];
  /** Why (printed by setup and info). */
  readonly why: string;
  /** auto, too large, but not splittable: what would make it splittable (appended to the refusal). */
  readonly hint?: string;
}

/** What the split decision reads of a compiled statement. */
export interface SplitInput {
  readonly name: string;
  readonly params: ModelCircuitParams;
  readonly cost: CostEstimate;
  readonly visibility: VisibilitySpec;
}

/** Whether to split (see the module comment); `--split layers` on a model it cannot split is a UsageError naming why. */
export function decideSplit(mode: SplitMode, m: SplitInput, machineBytes = totalmem()): SplitDecision {
  if (mode === 'none') return { why: '--split none' };
  const cut = layerCuts(m.params);
  const committed = m.visibility.weights === 'committed';
  if (mode === 'layers') {
    if ('reason' in cut) throw new UsageError(`--split layers: ${m.name} cannot be cut into layers (${cut.reason}); only GPT-2 graphs split`);
    if (!committed) throw new UsageError(`--split layers: a model proved as linked segments needs weights=committed (each segment opens its own committed weights), got weights=${m.visibility.weights}`);
    return { cuts: cut.cuts, why: '--split layers' };
  }
  const single = `as one circuit it needs about ${formatBytes(m.cost.estimate.memoryBytes)} (k = ${m.cost.k}), this machine has ${formatBytes(machineBytes)}`;
  const tooLarge = !!m.cost.tooLarge || m.cost.estimate.memoryBytes > machineBytes;
  if (!tooLarge) return { why: 'it fits this machine as one circuit' };
  if ('reason' in cut) return { why: `not a GPT-2 graph: ${cut.reason}` };
  if (!committed) return { why: `weights=${m.visibility.weights}`, hint: `with weights=committed it could be proved as ${cut.cuts.length + 1} linked segments (--split layers)` };
  return { cuts: cut.cuts, why: `split automatically: ${single}` };
}

/** A single circuit's memory check, with the decision's hint in the refusal. */
export function checkSingleFits(command: string, name: string, cost: CostEstimate, force: boolean, decision: SplitDecision): void {
  try {
    checkFits(command, name, cost, force);
  } catch (e) {
    if (e instanceof TooLargeError && decision.hint) throw new TooLargeError(`${e.message}; ${decision.hint}`);
    throw e;
  }
}

/** One distinct circuit of a chain and its cost. */
export interface ChainCircuit {
  /** Its first segment's name ("segment 0 (first)", "segment 1", …). */
  readonly name: string;
  readonly segments: readonly number[];
  /** At the circuit's own k. */
  readonly cost: CostEstimate;
  /** At the chain's k (every segment's). */
  readonly keygenSeconds: number;
  readonly proveSeconds: number;
  readonly memoryBytes: number;
}

export interface ChainEstimate {
  readonly k: number;
  /** The SRS size: the chain's k, or more when a committed row is longer than 2^k. */
  readonly srsK: number;
  readonly segments: number;
  readonly circuits: readonly ChainCircuit[];
  /** Which circuit each segment is. */
  readonly keyOf: readonly number[];
  /** keygen once per circuit, proving once per segment. */
  readonly keygenSeconds: number;
  readonly proveSeconds: number;
  /** The largest segment's proving memory plus the other circuits' keys the prover holds. */
  readonly memoryBytes: number;
}

const ELEMENT_BYTES = 36;

/** Which distinct circuit each segment is (first appearance order: the order setupChain makes keys in). */
export function keyIndices(chain: ChainModel): number[] {
  const seen = new Map<string, number>();
  return chain.segments.map((s) => {
    let i = seen.get(s.key);
    if (i === undefined) seen.set(s.key, (i = seen.size));
    return i;
  });
}

/** The chain's cost: per distinct circuit at the chain's k (models/cost.ts's formulas). */
export function chainEstimate(chain: ChainModel): ChainEstimate {
  const keyOf = keyIndices(chain);
  const circuits: (ChainCircuit & { segments: number[] })[] = [];
  const n = 2 ** chain.k;
  keyOf.forEach((key, j) => {
    const c = circuits[key];
    if (c) return void c.segments.push(j);
    const s = chain.segments[j]!;
    const cost = estimateCost(s.params);
    const m = cost.memory;
    circuits[key] = {
      name: s.name,
      segments: [j],
      cost,
      keygenSeconds: KEYGEN_NS_PER_CELL * 1e-9 * n * m.fixedColumns,
      proveSeconds: PROVE_NS_PER_CELL * 1e-9 * n * m.committedColumns,
      memoryBytes: estimateProveMemoryBytes({ ...m, k: chain.k }),
    };
  });
  // the prover holds every circuit's proving key (fixed and σ columns, as the estimate counts them) while it proves one segment
  const keyBytes = (c: ChainCircuit) => PROVE_MEMORY_OVERHEAD * ELEMENT_BYTES * n * 4 * c.cost.memory.fixedColumns;
  const memoryBytes = Math.max(...circuits.map((c) => c.memoryBytes + circuits.reduce((a, o) => a + (o === c ? 0 : keyBytes(o)), 0)));
  const cols = Math.max(1, ...chain.segments.flatMap((s) => committedWeightNames(s.params).map((w) => s.params.info.get(w)?.shape[1] ?? 1)));
  return {
    k: chain.k,
    srsK: Math.max(chain.k, Math.ceil(Math.log2(cols))),
    segments: chain.segments.length,
    circuits,
    keyOf,
    keygenSeconds: circuits.reduce((a, c) => a + c.keygenSeconds, 0),
    proveSeconds: circuits.reduce((a, c) => a + c.proveSeconds * c.segments.length, 0),
    memoryBytes,
  };
}

/** Compile the chain at `cuts` (errors as UsageErrors naming the model). */
export function compileSplit(name: string, params: ModelCircuitParams, cuts: readonly string[]): ChainModel {
  try {
    return compileChain(params, cuts);
  } catch (e) {
    if (e instanceof GraphError) throw new UsageError(`${name} cannot be proved as linked segments: ${e.message}`);
    throw e;
  }
}

/**
 * Refuse a chain whose largest segment (with the keys held beside it)
 * exceeds the machine's memory (`--force` tries anyway). `single`: the
 * split was automatic, so the refusal first says what one circuit needs.
 */
export function checkChainFits(command: string, name: string, est: ChainEstimate, force: boolean, single?: CostEstimate, machineBytes = totalmem()): void {
  if (est.memoryBytes <= machineBytes || force) return;
  const chain = `${est.segments} linked segments need about ${formatBytes(est.memoryBytes)} of memory for the largest (k = ${est.k})`;
  const fewer = 'fewer --tokens make the segments smaller';
  throw new TooLargeError(
    single
      ? `${command}: ${name} needs about ${formatBytes(single.estimate.memoryBytes)} of memory (k = ${single.k}), this machine has ${formatBytes(machineBytes)}; refusing before starting (pass --force to try anyway). Split automatically, its ${chain}: ${fewer}`
      : `${command}: ${name} as ${chain}, this machine has ${formatBytes(machineBytes)}; refusing before starting (pass --force to try anyway; ${fewer})`,
  );
}

/** The settings fields of a split model: the "split" record and the chain's fingerprints. */
export function splitSettings(chain: ChainModel, cuts: readonly string[], keys: ChainKeys, publicValues: readonly PublicSegment[]): { split: SplitSettings; fingerprint: string; weightCommitment: { fingerprint: string; matrices: number } } {
  const layouts = chain.segments.map((s) => instanceLayout(s.params));
  // the segments' public values, in order, are the statement's: the first one's inputs, the last one's outputs
  const flat = layouts.flat();
  const same = flat.length === publicValues.length && flat.every((x, i) => x.name === publicValues[i]!.name && x.role === publicValues[i]!.role && x.length === publicValues[i]!.length);
  if (!same) throw new GraphError(`split: the segments' public values (${flat.map((x) => x.name).join(', ')}) are not the model's (${publicValues.map((x) => x.name).join(', ')})`);
  const keyFps = keys.pks.map((pk) => fingerprintHex(pk.vk.digest));
  let offset = 0;
  const segments = chain.segments.map((s, j) => {
    const w = keys.weights[j];
    if (!w) throw new GraphError(`split: ${s.name} has no committed weights`);
    const length = layouts[j]!.reduce((a, x) => a + x.length, 0);
    const seg = { name: s.name, key: keys.keyOf[j]!, weightCommitment: { fingerprint: hex(w.fingerprint), matrices: w.names.length }, publicValues: { offset, length } };
    offset += length;
    return seg;
  });
  return {
    split: { by: 'layers', cuts: [...cuts], keys: keyFps, segments },
    fingerprint: chainFingerprint(keyFps, keys.keyOf),
    weightCommitment: { fingerprint: chainWeightFingerprint(segments.map((s) => s.weightCommitment.fingerprint)), matrices: segments.reduce((a, s) => a + s.weightCommitment.matrices, 0) },
  };
}

/**
 * Refuse a key file of the other kind than the settings describe (a split
 * model's with a single circuit's settings, or the reverse), by its magic;
 * anything else is left to the decoder.
 */
export function checkKeyKind(bytes: Uint8Array, settings: Settings, keyPath: string, settingsPath: string, which: 'pk' | 'vk'): void {
  const magic = fileMagic(bytes);
  const chain = which === 'vk' ? CHAIN_VK_MAGIC : CHAIN_PK_MAGIC;
  const single = which === 'vk' ? 'ZKVB' : 'ZKPB';
  if (settings.split && magic === single) {
    throw new KeyFileError(`${keyPath} holds a single circuit's key, but ${settingsPath} describes ${settings.name} proved as ${settings.split.segments.length} linked segments: use the ${which}.bin that setup wrote beside it`);
  }
  if (!settings.split && magic === chain) {
    throw new KeyFileError(`${keyPath} holds the keys of a model proved as linked segments, but ${settingsPath} describes a single circuit: use the ${which}.bin that setup wrote beside it`);
  }
}

/** What the chain verifier holds per segment (from vk.bin, checked against settings.json). */
export interface VerifierSegment {
  readonly name: string;
  readonly vk: VerifyingKey;
  readonly weights: readonly NamedCommitment[];
  readonly hiding: boolean;
  /** Its slice of the public values. */
  readonly publicValues: { readonly offset: number; readonly length: number };
  /** Whether its input / output is linked (every segment but the first / last). */
  readonly link: { readonly input: boolean; readonly output: boolean };
}

/**
 * Verify a chain proof: `proofs[j]` against segment j's key and weight
 * commitments with its slice of `column` as its public values, then its
 * link to segment j − 1.
 * Never throws.
 */
export function verifySegments(segments: readonly VerifierSegment[], proofs: readonly { proof: Uint8Array; weightOpening?: string }[], column: readonly bigint[], vp: VerifierParams): { ok: boolean; reason?: string; links?: number } {
  if (proofs.length !== segments.length) return { ok: false, reason: `expected ${segments.length} segment proofs (settings.json's segments), got ${proofs.length}` };
  return verifyLinked(segments, (j) => {
    const s = segments[j]!;
    const p = proofs[j]!;
    const instances = [column.slice(s.publicValues.offset, s.publicValues.offset + s.publicValues.length)];
    return verifyWithWeights(s.vk, p.proof, p.weightOpening, instances, vp, s.weights, s.hiding);
  });
}

/** The circuits of a chain as text lines (info): per distinct circuit its rows, columns and cost at the chain's k, then the totals. */
export function chainCostLines(est: ChainEstimate, machineBytes = totalmem()): string[] {
  const time = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);
  const byOp = (rows: Readonly<Record<string, number>>) => Object.entries(rows).map(([k, v]) => `${k} ${v}`).join(', ');
  const range = (js: readonly number[]) => (js.length === 1 ? `segment ${js[0]}` : js.every((j, i) => i === 0 || j === js[i - 1]! + 1) ? `segments ${js[0]}–${js.at(-1)}` : `segments ${js.join(', ')}`);
  const label = (j: number) => (j === 0 ? 'first' : j === est.segments - 1 ? 'last' : 'block');
  const lines = [`split into ${est.segments} linked segments (after the embedding and each block), all at k = ${est.k}; ${est.circuits.length} distinct circuits (one key each)`];
  for (const c of est.circuits) {
    const x = c.cost;
    lines.push(
      `  ${label(c.segments[0]!)} circuit (${range(c.segments)}): rows ${x.rows} (regions ${x.regionRows}, largest table ${x.tableRows}; alone k = ${x.k})`,
      `    rows by op: ${byOp(x.rowsByOp)}`,
      `    columns: advice ${x.columns.advice} (committed ${x.columns.committed}), fixed ${x.columns.fixed}, selectors ${x.columns.selectors}, instance ${x.columns.instance}, permutation ${x.columns.permutation}; gates ${x.gates}, lookups ${x.lookups}, degree ${x.degree}`,
      `    at k = ${est.k}: keygen ${time(c.keygenSeconds)}, prove ${time(c.proveSeconds)} × ${c.segments.length} segment${c.segments.length > 1 ? 's' : ''}, memory ${formatBytes(c.memoryBytes)}`,
    );
  }
  const fits = est.memoryBytes <= machineBytes;
  lines.push(
    `estimate for the chain (rough): keygen ${time(est.keygenSeconds)} (${est.circuits.length} circuits), prove ${time(est.proveSeconds)} (${est.segments} segments), peak memory ${formatBytes(est.memoryBytes)} (the largest segment and the keys) — ${fits ? 'fits' : 'does not fit'} this machine (${formatBytes(machineBytes)})`,
  );
  return lines;
}
