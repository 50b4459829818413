/**
 * settings.json: what `setup` pinned, read by `prove`, `mock` and `verify`.
 *
 *   { format: "zktensor-settings", version: 1,
 *     name,                           the model's display name
 *     model: { kind: "preset", name, tokens, weights?: { path, sha256 } }
 *          | { kind: "onnx", path, sha256, dims },   paths relative to settings.json
 *     visibility: { input, weights, output },
 *     scale, quant (bit widths B and R, GELU and fn table ranges, …), fixedColumns, k,
 *     inputs: [{ name, shape, kind }], outputs: [{ name, tensor, shape }],
 *     publicValues: [{ name, role, offset, length }],   the instance column's layout
 *     calibration: { source, samples, sha256? },
 *     srs: { identity, kind: "random" | "file" | "unsafe-dev", file? },
 *     fingerprint,                    the verifying key's digest (hex)
 *     weightCommitment?,              weights=committed: { fingerprint (hex), matrices }, the
 *                                     fingerprint of the row commitments inside vk.bin
 *     split? }                        version 2 only: the model is proved as linked segments
 *                                     (setup --split layers, models/chain.ts):
 *       { by: "layers", cuts: [tensor names], keys: [VK fingerprints of the distinct circuits],
 *         segments: [{ name, key (index into keys), weightCommitment: { fingerprint, matrices },
 *                      publicValues: { offset, length } (its slice of the public values) }] }
 *       with a split, "fingerprint" is sha256 over the keys and which segment uses
 *       which (chainFingerprint), "weightCommitment" sums the segments' (its
 *       fingerprint: sha256 over theirs), and k is every segment's.
 *
 * Version 1 (a single circuit) is still written for a model that is not
 * split, so older readers keep reading those; version 2 holds a "split".
 *
 * vk.bin and pk.bin carry sha256(canonical JSON of this object): a settings
 * file edited after setup (another scale, visibility, name, …) no longer
 * matches its keys and is refused. Nothing here comes from a proof file.
 */
import { writeFileSync } from 'node:fs';
import type { QuantParams, VisibilitySpec } from '../models/index.js';
import { readText } from './args.js';
import { UsageError } from './errors.js';
import { canonicalJson, hex, sha256Bytes, sha256Hex } from './hash.js';
import type { SrsKind } from './srs-source.js';

export const SETTINGS_FORMAT = 'zktensor-settings';
export const SETTINGS_VERSION = 1;
/** Settings of a model proved as linked segments (with "split"). */
export const SPLIT_SETTINGS_VERSION = 2;

export interface FileRef {
  readonly path: string;
  readonly sha256: string;
}

export type ModelRef =
  | { readonly kind: 'preset'; readonly name: string; readonly tokens: number; readonly weights?: FileRef }
  | ({ readonly kind: 'onnx'; readonly dims: Readonly<Record<string, number>> } & FileRef);

export interface PublicSegment {
  readonly name: string;
  readonly role: 'input' | 'weight' | 'output';
  readonly offset: number;
  readonly length: number;
}

export interface Settings {
  readonly format: typeof SETTINGS_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly model: ModelRef;
  readonly visibility: VisibilitySpec;
  readonly scale: number;
  readonly quant: QuantParams;
  readonly fixedColumns: number;
  readonly k: number;
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly kind: 'ids' | 'real' }[];
  /** `name` is the model's output name (ONNX) and `tensor` the IR tensor it is. */
  readonly outputs: readonly { readonly name: string; readonly tensor: string; readonly shape: readonly number[] }[];
  readonly publicValues: readonly PublicSegment[];
  readonly calibration: { readonly source: string; readonly samples: number; readonly sha256?: string };
  readonly srs: { readonly identity: string; readonly kind: SrsKind; readonly file?: string };
  readonly fingerprint: string;
  /** weights=committed: the fingerprint (matrixFingerprint, hex) of the commitments vk.bin holds. */
  readonly weightCommitment?: { readonly fingerprint: string; readonly matrices: number };
  /** Version 2: the model is proved as linked segments. */
  readonly split?: SplitSettings;
}

/** How a split model is cut and keyed (the verifier's segment list: never the proof file's). */
export interface SplitSettings {
  readonly by: 'layers';
  /** The tensors the graph is cut after: segment j ends at cuts[j] (the last one at the outputs). */
  readonly cuts: readonly string[];
  /** Fingerprints (VK digests, hex) of the distinct circuits, in vk.bin's order. */
  readonly keys: readonly string[];
  readonly segments: readonly SplitSegment[];
}

export interface SplitSegment {
  readonly name: string;
  /** Index into `keys`: segments with one index share a proving and verifying key. */
  readonly key: number;
  readonly weightCommitment: { readonly fingerprint: string; readonly matrices: number };
  /** This segment's public values: a slice of the statement's column (publicValues). */
  readonly publicValues: { readonly offset: number; readonly length: number };
}

/** A split model's fingerprint: sha256 over its keys' fingerprints and which segment uses which. */
export const chainFingerprint = (keys: readonly string[], keyOf: readonly number[]): string => sha256Hex(new TextEncoder().encode(canonicalJson({ keys, keyOf })));
/** A split model's weight fingerprint: sha256 over its segments' weight fingerprints, in order. */
export const chainWeightFingerprint = (segments: readonly string[]): string => sha256Hex(new TextEncoder().encode(canonicalJson({ segments })));

export const settingsDigest = (s: Settings): Uint8Array => sha256Bytes(new TextEncoder().encode(canonicalJson(s)));
export const sameDigest = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function writeSettings(path: string, s: Settings): void {
  writeFileSync(path, `${JSON.stringify(s, null, 1)}\n`);
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown, min = 0) => Number.isInteger(v) && (v as number) >= min;
const isShape = (v: unknown) => Array.isArray(v) && v.every((d) => isInt(d, 1));
const isHex64 = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isRef = (v: unknown) => isObj(v) && typeof v['path'] === 'string' && isHex64(v['sha256']);
const VIS = ['public', 'private', 'fixed', 'committed'];

/** Read and check settings.json; every problem names the field. */
export function readSettings(path: string): Settings {
  let j: unknown;
  try {
    j = JSON.parse(readText(path, 'settings'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`settings: ${path} is not JSON (${(e as Error).message})`);
  }
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new UsageError(`settings: ${path}: expected ${what}`);
  };
  need(isObj(j), 'a JSON object');
  const o = j as Record<string, unknown>;
  need(o['format'] === SETTINGS_FORMAT, `format "${SETTINGS_FORMAT}", got ${JSON.stringify(o['format'])}`);
  need(o['version'] === SETTINGS_VERSION || o['version'] === SPLIT_SETTINGS_VERSION, `version ${SETTINGS_VERSION} or ${SPLIT_SETTINGS_VERSION} (split into segments), got ${JSON.stringify(o['version'])}`);
  need(typeof o['name'] === 'string', '"name" (a string)');
  const m = o['model'];
  need(
    isObj(m) &&
      ((m['kind'] === 'preset' && typeof m['name'] === 'string' && isInt(m['tokens'], 1) && (m['weights'] === undefined || isRef(m['weights']))) ||
        (m['kind'] === 'onnx' && isRef(m) && isObj(m['dims']) && Object.values(m['dims']).every((d) => isInt(d, 1)))),
    '"model" {kind: "preset", name, tokens, weights?} or {kind: "onnx", path, sha256, dims}',
  );
  const vis = o['visibility'];
  need(isObj(vis) && ['input', 'weights', 'output'].every((r) => VIS.includes(vis[r] as string)), '"visibility" {input, weights, output} each public | private | fixed | committed');
  need(isInt(o['scale']) && isObj(o['quant']) && o['quant']['scale'] === o['scale'] && isInt(o['quant']['bits'], 1), '"scale" and "quant" {scale (= scale), bits, …}');
  need(isInt(o['fixedColumns'], 1), '"fixedColumns" (a positive integer)');
  need(isInt(o['k'], 1) && (o['k'] as number) <= 28, '"k" (an integer in 1…28)');
  need(Array.isArray(o['inputs']) && o['inputs'].every((i) => isObj(i) && typeof i['name'] === 'string' && isShape(i['shape']) && (i['kind'] === 'ids' || i['kind'] === 'real')), '"inputs" [{name, shape, kind}]');
  need(Array.isArray(o['outputs']) && o['outputs'].every((i) => isObj(i) && typeof i['name'] === 'string' && typeof i['tensor'] === 'string' && isShape(i['shape'])), '"outputs" [{name, tensor, shape}]');
  need(
    Array.isArray(o['publicValues']) &&
      o['publicValues'].every((s) => isObj(s) && typeof s['name'] === 'string' && ['input', 'weight', 'output'].includes(s['role'] as string) && isInt(s['offset']) && isInt(s['length'])),
    '"publicValues" [{name, role, offset, length}]',
  );
  const srs = o['srs'];
  need(isObj(srs) && isHex64(srs['identity']) && ['random', 'file', 'unsafe-dev'].includes(srs['kind'] as string), '"srs" {identity (64 hex digits), kind}');
  need(isObj(o['calibration']) && typeof o['calibration']['source'] === 'string', '"calibration" {source, samples}');
  need(typeof o['fingerprint'] === 'string' && /^[0-9a-f]+$/.test(o['fingerprint']), '"fingerprint" (hex)');
  const wc = o['weightCommitment'];
  const committed = isObj(vis) && vis['weights'] === 'committed';
  need(wc === undefined ? !committed : isObj(wc) && isHex64(wc['fingerprint']) && isInt(wc['matrices'], 1), '"weightCommitment" {fingerprint (64 hex digits), matrices}, present exactly with weights=committed');
  const split = o['split'];
  if (o['version'] === SETTINGS_VERSION) need(split === undefined, 'no "split" in version 1 settings (a split model\'s are version 2)');
  else {
    need(isObj(split), '"split" in version 2 settings (a model proved as linked segments)');
    checkSplit(split as Record<string, unknown>, o, need);
  }
  return o as unknown as Settings;
}

/** "split": its fields, and that it agrees with the rest (committed weights, the public values, the fingerprints). */
function checkSplit(sp: Record<string, unknown>, o: Record<string, unknown>, need: (cond: boolean, what: string) => void): void {
  need(sp['by'] === 'layers', '"split.by" "layers"');
  const cuts = sp['cuts'];
  need(Array.isArray(cuts) && cuts.length >= 1 && cuts.every((c) => typeof c === 'string'), '"split.cuts" (tensor names, at least one)');
  const keys = sp['keys'];
  need(Array.isArray(keys) && keys.length >= 1 && keys.every(isHex64), '"split.keys" (VK fingerprints, 64 hex digits each)');
  const segs = sp['segments'];
  const n = (cuts as unknown[]).length + 1;
  need(Array.isArray(segs) && segs.length === n, `"split.segments": one per cut and one more (${n}), got ${Array.isArray(segs) ? segs.length : 'none'}`);
  const k = (keys as unknown[]).length;
  let offset = 0;
  (segs as unknown[]).forEach((s, j) => {
    const ok =
      isObj(s) &&
      typeof s['name'] === 'string' &&
      isInt(s['key']) &&
      (s['key'] as number) < k &&
      isObj(s['weightCommitment']) &&
      isHex64(s['weightCommitment']['fingerprint']) &&
      isInt(s['weightCommitment']['matrices'], 1) &&
      isObj(s['publicValues']) &&
      s['publicValues']['offset'] === offset &&
      isInt(s['publicValues']['length']);
    need(ok, `"split.segments[${j}]" {name, key (< ${k}), weightCommitment {fingerprint, matrices}, publicValues {offset: ${offset}, length}}`);
    offset += ((s as Record<string, Record<string, number>>)['publicValues']!['length'] as number);
  });
  const total = (o['publicValues'] as { length: number }[]).reduce((a, p) => a + p.length, 0);
  need(offset === total, `the segments' public values to add up to the ${total} of "publicValues", got ${offset}`);
  const segments = segs as SplitSegment[];
  need(new Set(segments.map((s) => s.key)).size === k, '"split.keys": every key used by a segment');
  need((o['visibility'] as VisibilitySpec).weights === 'committed', 'weights=committed with "split" (each segment opens its own committed weights)');
  need(o['fingerprint'] === chainFingerprint(keys as string[], segments.map((s) => s.key)), '"fingerprint" to be the chain fingerprint of "split.keys" and the segments\' keys');
  const wc = o['weightCommitment'] as { fingerprint: string; matrices: number };
  need(
    wc.fingerprint === chainWeightFingerprint(segments.map((s) => s.weightCommitment.fingerprint)) && wc.matrices === segments.reduce((a, s) => a + s.weightCommitment.matrices, 0),
    '"weightCommitment" to combine the segments\' (fingerprint over theirs, matrices summed)',
  );
}

/** The VK digest (an Fr element) as the fingerprint's hex. */
export const fingerprintHex = (digest: bigint): string => digest.toString(16).padStart(64, '0');
export const shortHex = (h: string): string => h.slice(0, 16);
export { hex };
