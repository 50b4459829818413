/**
 * `--input` for the presets: token ids or text.
 *
 *   [ids…] | {"tokens": [ids…]}   token ids, checked against the vocabulary
 *   {"text": "…"} | plain text     tokenized: GPT-2 BPE for the 50257-id
 *                                  vocabulary, else the preset's characters
 *   @path, or a path ending .json  read from that file
 *
 * ONNX inputs (real values by input name): `parseOnnxInputs`.
 */
import { existsSync } from 'node:fs';
import { numel, type OnnxModel, type Preset, tokenizerFor, type Tokenizer } from '../models/index.js';
import { readText } from './args.js';
import { UsageError } from './errors.js';

/**
 * The text of `--input`: a file for "@path" and for paths ending ".json"
 * (a missing one is named as missing, not read as text), else inline.
 */
export function inputText(raw: string, what = 'input'): string {
  const path = checkInputFile(raw, what);
  return path === undefined ? raw : readText(path, `${what} file`);
}

/** The file `--input` names, if it names one; a missing one is a `UsageError` (checked before any work starts). */
export function checkInputFile(raw: string, what = 'input'): string | undefined {
  const path = raw.startsWith('@') ? raw.slice(1) : /\.json$/i.test(raw) ? raw : undefined;
  if (path !== undefined && !existsSync(path)) throw new UsageError(`${what}: the file ${path} does not exist`);
  return path;
}

export function parseJson(text: string, what = 'input'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what}: invalid JSON (${(e as Error).message})`);
  }
}

export interface TokenInput {
  readonly ids: number[];
  /** Set when the input was text: the tokenizer that made the ids. */
  readonly tokenizer?: Tokenizer;
}

/** Token ids from `--input` (see the module comment). */
/** `calibrationSample`: `raw` is a sample's literal text (never a file) and may exceed the context (it is cut later). */
export async function parseTokenInput(p: Preset, raw: string, opts: { calibrationSample?: boolean } = {}): Promise<TokenInput> {
  const text = opts.calibrationSample ? raw : inputText(raw);
  const trimmed = text.trim();
  let ids: unknown;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const j = parseJson(trimmed);
    if (Array.isArray(j)) ids = j;
    else if (j && typeof j === 'object' && 'tokens' in j) ids = (j as { tokens: unknown }).tokens;
    else if (j && typeof j === 'object' && typeof (j as { text?: unknown }).text === 'string') return encode(p, (j as { text: string }).text, opts);
    else throw new UsageError('input: expected a JSON array of token ids, {"tokens": [...]} or {"text": "..."}');
  } else return encode(p, text, opts);
  if (!Array.isArray(ids) || ids.length === 0) throw new UsageError('input: expected a non-empty array of token ids');
  const V = p.config.vocabulary;
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= V) {
      throw new UsageError(`input: token ${i} = ${JSON.stringify(id)} is not an id in [0, ${V}) of model ${p.name}`);
    }
  });
  if (!opts.calibrationSample) checkLength(p, ids.length);
  return { ids: ids as number[] };
}

async function encode(p: Preset, text: string, opts: { calibrationSample?: boolean }): Promise<TokenInput> {
  if (text.length === 0) throw new UsageError('input: empty text');
  let tokenizer: Tokenizer;
  let ids: number[];
  try {
    tokenizer = await tokenizerFor(p);
    ids = tokenizer.encode(text);
  } catch (e) {
    throw new UsageError(`input: ${(e as Error).message}`);
  }
  if (ids.length === 0) throw new UsageError('input: the text has no tokens');
  if (!opts.calibrationSample) checkLength(p, ids.length);
  return { ids, tokenizer };
}

export function checkLength(p: Preset, n: number): void {
  if (n > p.config.context) throw new UsageError(`input: ${n} tokens exceed the context of ${p.name} (${p.config.context})`);
}

/** Text of one token id for display (the preset's tokenizer, or "<id>"). */
export async function tokenText(p: Preset, id: number): Promise<string> {
  try {
    return (await tokenizerFor(p)).decode([id]);
  } catch {
    return `<${id}>`;
  }
}

const shapeText = (dims: readonly (number | string | undefined)[]) => `[${dims.map((d) => d ?? '?').join(', ')}]`;

/**
 * Real-valued inputs from JSON: `{ "<input>": [numbers…] }` (flat row-major,
 * nested arrays are flattened) or a bare array when the model has one input;
 * `{ "inputs": {…} }` (the fixtures' layout) and EZKL's `{ "input_data":
 * [[…], …] }` (one array per model input, in the model's order) are accepted too. Symbolic dims
 * not in `dims` are inferred from the length when an input has exactly one.
 * Errors name the input and its expected shape.
 */
export function parseOnnxInputs(model: OnnxModel, json: unknown, dimsIn: Readonly<Record<string, number>>): { values: Record<string, number[]>; dims: Record<string, number> } {
  const inputs = model.graph.inputs;
  const names = inputs.map((i) => i.name);
  let obj: Record<string, unknown>;
  if (Array.isArray(json)) {
    if (inputs.length !== 1) throw new UsageError(`input: the model has ${inputs.length} inputs (${names.join(', ')}); give an object {"name": [...]}`);
    obj = { [names[0]!]: json };
  } else if (json && typeof json === 'object') {
    obj = json as Record<string, unknown>;
    const nested = obj['inputs'];
    const ezkl = obj['input_data'];
    if (!names.includes('inputs') && nested && typeof nested === 'object' && !Array.isArray(nested)) obj = nested as Record<string, unknown>;
    else if (!names.includes('input_data') && Array.isArray(ezkl)) {
      if (ezkl.length !== inputs.length) {
        throw new UsageError(`input: input_data holds ${ezkl.length} arrays; the model has ${inputs.length} inputs (${names.join(', ')}), one array each in that order`);
      }
      obj = Object.fromEntries(names.map((n, i) => [n, ezkl[i]]));
    }
  } else throw new UsageError(`input: expected a JSON object {"${names[0] ?? 'x'}": [numbers…]} or an array`);
  const extra = Object.keys(obj).filter((k) => !names.includes(k));
  if (extra.length) throw new UsageError(`input: the model has no input "${extra[0]}"; its inputs: ${names.join(', ')}`);
  const dims: Record<string, number> = { ...dimsIn };
  const values: Record<string, number[]> = {};
  for (const i of inputs) {
    const raw = obj[i.name];
    const shape = i.shape ?? [];
    if (raw === undefined) throw new UsageError(`input: missing "${i.name}" (shape ${shapeText(shape)})`);
    const flat = flatten(raw, i.name);
    const unknown = shape.filter((d) => typeof d !== 'number' && (d === undefined || dims[d] === undefined));
    const known = shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : d !== undefined ? (dims[d] ?? 1) : 1), 1);
    const sym = unknown[0];
    if (unknown.length === 1 && typeof sym === 'string' && flat.length % known === 0 && flat.length > 0) dims[sym] = flat.length / known;
    else if (unknown.length > 0) throw new UsageError(`input "${i.name}": shape ${shapeText(shape)} has dynamic dimensions; give their values with --dims name=N`);
    const resolved = shape.map((d) => (typeof d === 'number' ? d : d !== undefined ? (dims[d] ?? 0) : 0));
    if (flat.length !== numel(resolved)) throw new UsageError(`input "${i.name}": expected ${numel(resolved)} values (shape ${shapeText(shape)} = [${resolved.join(', ')}]), got ${flat.length}`);
    values[i.name] = flat;
  }
  return { values, dims };
}

function flatten(v: unknown, name: string): number[] {
  const out: number[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === 'number' && Number.isFinite(x)) out.push(x);
    else throw new UsageError(`input "${name}": expected finite numbers, got ${JSON.stringify(x)}`);
  };
  if (!Array.isArray(v)) throw new UsageError(`input "${name}": expected an array of numbers, got ${JSON.stringify(v)}`);
  walk(v);
  return out;
}
