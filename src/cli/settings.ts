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
 *     weightCommitment? }             weights=committed: { fingerprint (hex), matrices }, the
 *                                     fingerprint of the row commitments inside vk.bin
 *
 * vk.bin and pk.bin carry sha256(canonical JSON of this object): a settings
 * file edited after setup (another scale, visibility, name, …) no longer
 * matches its keys and is refused. Nothing here comes from a proof file.
 */
import { writeFileSync } from 'node:fs';
import type { QuantParams, VisibilitySpec } from '../models/index.js';
import { readText } from './args.js';
import { UsageError } from './errors.js';
import { canonicalJson, hex, sha256Bytes } from './hash.js';
import type { SrsKind } from './srs-source.js';

export const SETTINGS_FORMAT = 'zktensor-settings';
export const SETTINGS_VERSION = 1;

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
}

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
  need(o['version'] === SETTINGS_VERSION, `version ${SETTINGS_VERSION}, got ${JSON.stringify(o['version'])}`);
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
  return o as unknown as Settings;
}

/** The VK digest (an Fr element) as the fingerprint's hex. */
export const fingerprintHex = (digest: bigint): string => digest.toString(16).padStart(64, '0');
export const shortHex = (h: string): string => h.slice(0, 16);
export { hex };
