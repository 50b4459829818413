/**
 * The proof file (`proof.json`): what `zktensor prove` writes and `verify`
 * reads. The statement is the model (a preset and sequence length, or a
 * model file by path and sha256; optional safetensors weights, by path and
 * sha256), the visibility, the quantization, the SRS and the public
 * instance values; the verifier recomputes the circuit, and so the verifying
 * key, from the model, so a file cannot bring its own circuit. The VK is
 * included for `verify --trust-vk` (faster, trusts the file) and for
 * inspection.
 *
 *   { format: "zktensor-proof", version: 2,
 *     model: preset name | the model file as given on the command line,
 *     modelFile?: { kind: "onnx", path, sha256, dims },   path relative to the proof file
 *     weights?:   { kind: "safetensors", path, sha256 },   path relative to the proof file
 *     tokens?,                                            presets: sequence length
 *     visibility, quant, k, srs: { kind: "unsafe-dev", seed } | { kind: "file", path },
 *     input?:  { tokens, tokenizer? } | { values: { <input>: [real…] } },
 *     output?: { next: { id, text }, logits } | { values: { <output>: [real…] } },
 *     instances: [[decimal]], vk: base64, proof: base64 }
 *
 * An ONNX model's quantization is calibrated on its input, so the input
 * values are recorded and the verifier recalibrates on them; with a private
 * input nothing is recorded and the file's `quant` is taken as part of the
 * statement. Version 1 files (presets only) are still read.
 */
import type { QuantParams, VisibilitySpec } from '../models/index.js';
import { ZkTensorError } from '../field/errors.js';

export const PROOF_FORMAT = 'zktensor-proof';
export const PROOF_FILE_VERSION = 2;
const READABLE_VERSIONS = [1, 2];

export class UsageError extends ZkTensorError {
  override readonly name = 'UsageError';
}

/** A file the statement depends on: where it was and what its bytes hashed to. */
export interface FileBinding {
  readonly path: string;
  readonly sha256: string;
}

export interface ProofFile {
  readonly format: typeof PROOF_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly modelFile?: FileBinding & { readonly kind: 'onnx'; readonly dims: Readonly<Record<string, number>> };
  readonly weights?: FileBinding & { readonly kind: 'safetensors' };
  readonly tokens?: number;
  readonly visibility: VisibilitySpec;
  readonly quant: QuantParams;
  readonly k: number;
  readonly srs: { readonly kind: 'unsafe-dev'; readonly seed: string } | { readonly kind: 'file'; readonly path: string };
  readonly input?: { readonly tokens: readonly number[]; readonly tokenizer?: string } | { readonly values: Readonly<Record<string, readonly number[]>> };
  readonly output?:
    | { readonly next: { readonly id: number; readonly text: string }; readonly logits: readonly number[] }
    | { readonly values: Readonly<Record<string, readonly number[]>> };
  readonly instances: readonly (readonly string[])[];
  readonly vk: string;
  readonly proof: string;
}

export const toBase64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
export function fromBase64(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new UsageError(`proof file: ${what} is not base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

const isBinding = (b: unknown, kind: string) => {
  const o = b as Record<string, unknown> | undefined;
  return !!o && o['kind'] === kind && typeof o['path'] === 'string' && typeof o['sha256'] === 'string' && /^[0-9a-f]{64}$/.test(o['sha256'] as string);
};

/** Parse and check the shape of a proof file (typed errors name the field). */
export function parseProofFile(text: string): ProofFile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`proof file: invalid JSON (${(e as Error).message})`);
  }
  const o = j as Record<string, unknown>;
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new UsageError(`proof file: ${what}`);
  };
  need(typeof o === 'object' && o !== null, 'expected a JSON object');
  need(o['format'] === PROOF_FORMAT, `expected format "${PROOF_FORMAT}", got ${JSON.stringify(o['format'])}`);
  need(READABLE_VERSIONS.includes(o['version'] as number), `expected version ${READABLE_VERSIONS.join(' or ')}, got ${JSON.stringify(o['version'])}`);
  need(typeof o['model'] === 'string', 'expected "model" (a string)');
  const mf = o['modelFile'] as Record<string, unknown> | undefined;
  if (mf !== undefined) {
    need(isBinding(mf, 'onnx'), 'expected "modelFile" {kind: "onnx", path, sha256 (64 hex digits), dims}');
    const dims = mf['dims'] as Record<string, unknown> | undefined;
    need(!!dims && typeof dims === 'object' && Object.values(dims).every((d) => Number.isInteger(d) && (d as number) > 0), 'expected "modelFile.dims" {name: positive integer}');
  } else need(Number.isInteger(o['tokens']) && (o['tokens'] as number) > 0, 'expected "tokens" (a positive integer)');
  if (o['weights'] !== undefined) need(isBinding(o['weights'], 'safetensors'), 'expected "weights" {kind: "safetensors", path, sha256 (64 hex digits)}');
  need(Number.isInteger(o['k']) && (o['k'] as number) > 0 && (o['k'] as number) <= 28, 'expected "k" (an integer in 1…28)');
  const vis = o['visibility'] as Record<string, unknown> | undefined;
  need(!!vis && ['input', 'weights', 'output'].every((r) => ['public', 'private', 'fixed'].includes(vis[r] as string)), 'expected "visibility" {input, weights, output}');
  need(!!o['quant'] && typeof o['quant'] === 'object', 'expected "quant" (the quantization settings)');
  const srs = o['srs'] as Record<string, unknown> | undefined;
  need(!!srs && ((srs['kind'] === 'unsafe-dev' && typeof srs['seed'] === 'string') || (srs['kind'] === 'file' && typeof srs['path'] === 'string')), 'expected "srs"');
  const input = o['input'] as Record<string, unknown> | undefined;
  if (mf && input !== undefined) {
    const v = input['values'] as Record<string, unknown> | undefined;
    need(!!v && typeof v === 'object' && Object.values(v).every((a) => Array.isArray(a) && a.every((x) => typeof x === 'number' && Number.isFinite(x))), 'expected "input.values" {name: [numbers]}');
  }
  const inst = o['instances'];
  need(Array.isArray(inst) && inst.every((c) => Array.isArray(c) && c.every((v) => typeof v === 'string' && /^\d+$/.test(v))), 'expected "instances" (arrays of decimal strings)');
  need(typeof o['vk'] === 'string' && typeof o['proof'] === 'string', 'expected "vk" and "proof" (base64)');
  return o as unknown as ProofFile;
}
