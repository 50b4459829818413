/**
 * `--input` for the presets: token ids or text.
 *
 *   [ids…] | {"tokens": [ids…]}   token ids, checked against the vocabulary
 *   {"text": "…"} | plain text     tokenized: GPT-2 BPE for the 50257-id
 *                                  vocabulary, else the preset's characters
 *   @path, or a path ending .json  read from that file
 *
 * ONNX inputs (real values by input name) are parsed in model-source.ts.
 */
import { existsSync } from 'node:fs';
import { type Preset, tokenizerFor, type Tokenizer } from '../models/index.js';
import { readText } from './args.js';
import { UsageError } from './proof-file.js';

/** The text of `--input`: inline, or a file for "@path" and existing "*.json" paths. */
export function inputText(raw: string): string {
  if (raw.startsWith('@')) return readText(raw.slice(1), 'input file');
  if (/\.json$/i.test(raw) && existsSync(raw)) return readText(raw, 'input file');
  return raw;
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
export async function parseTokenInput(p: Preset, raw: string): Promise<TokenInput> {
  const text = inputText(raw);
  const trimmed = text.trim();
  let ids: unknown;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const j = parseJson(trimmed);
    if (Array.isArray(j)) ids = j;
    else if (j && typeof j === 'object' && 'tokens' in j) ids = (j as { tokens: unknown }).tokens;
    else if (j && typeof j === 'object' && typeof (j as { text?: unknown }).text === 'string') return encode(p, (j as { text: string }).text);
    else throw new UsageError('input: expected a JSON array of token ids, {"tokens": [...]} or {"text": "..."}');
  } else return encode(p, text);
  if (!Array.isArray(ids) || ids.length === 0) throw new UsageError('input: expected a non-empty array of token ids');
  const V = p.config.vocabulary;
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= V) {
      throw new UsageError(`input: token ${i} = ${JSON.stringify(id)} is not an id in [0, ${V}) of model ${p.name}`);
    }
  });
  checkLength(p, ids.length);
  return { ids: ids as number[] };
}

async function encode(p: Preset, text: string): Promise<TokenInput> {
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
  checkLength(p, ids.length);
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
