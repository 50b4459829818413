/**
 * Text → token ids for the presets. A preset with GPT-2's vocabulary
 * (50257 ids) uses GPT-2's byte-level BPE (Radford et al. 2019; the
 * `r50k_base`/"gpt2" ranks, from the js-tiktoken package, offline); the
 * small presets keep their character vocabularies (presets.ts).
 *
 * The BPE ranks (0.5 MB) are loaded on first use, so commands that never
 * tokenize do not pay for them.
 */
import { decodeToken as decodeChar, encodeText, type Preset } from './presets.js';
import { GraphError } from './ir.js';

/** GPT-2's vocabulary: 50000 merges + 256 bytes + <|endoftext|>. */
export const GPT2_VOCABULARY = 50257;
export const GPT2_END_OF_TEXT = 50256;

export interface Tokenizer {
  readonly kind: 'gpt2-bpe' | 'char';
  readonly vocabulary: number;
  encode(text: string): number[];
  /** Text of a sequence of ids (BPE: bytes joined, then UTF-8 decoded). */
  decode(ids: readonly number[]): string;
}

let bpe: Promise<Tokenizer> | undefined;

/** GPT-2's BPE tokenizer (loaded once). */
export function gpt2Tokenizer(): Promise<Tokenizer> {
  bpe ??= (async () => {
    // js-tiktoken is an optional dependency: only GPT-2-vocabulary text needs it
    const [{ Tiktoken }, ranks] = await Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/gpt2')]).catch((e: unknown) => {
      bpe = undefined;
      throw new GraphError(
        `gpt2 tokenizer: the optional package js-tiktoken could not be loaded (${e instanceof Error ? e.message : String(e)}); ` +
          'expected it installed (`npm install js-tiktoken`) to tokenize text for the 50257-id vocabulary, or pass token ids as JSON',
      );
    });
    const enc = new Tiktoken(ranks.default);
    const check = (ids: readonly number[]) =>
      ids.forEach((id, i) => {
        if (!Number.isInteger(id) || id < 0 || id >= GPT2_VOCABULARY) throw new GraphError(`gpt2 tokenizer: id ${i} = ${id} is not in [0, ${GPT2_VOCABULARY})`);
      });
    return {
      kind: 'gpt2-bpe',
      vocabulary: GPT2_VOCABULARY,
      // special tokens in user text are encoded as plain text, never as <|endoftext|>
      encode: (text: string) => enc.encode(text, [], []),
      decode: (ids: readonly number[]) => {
        check(ids);
        return enc.decode([...ids]);
      },
    } satisfies Tokenizer;
  })();
  return bpe;
}

function charTokenizer(p: Preset): Tokenizer {
  return {
    kind: 'char',
    vocabulary: p.config.vocabulary,
    encode: (text) => encodeText(p, text),
    decode: (ids) => ids.map((id) => decodeChar(p, id)).join(''),
  };
}

/** The tokenizer of a preset: BPE for GPT-2's vocabulary, else its characters. */
export async function tokenizerFor(p: Preset): Promise<Tokenizer> {
  if (p.config.vocabulary === GPT2_VOCABULARY) return gpt2Tokenizer();
  if (p.vocabulary) return charTokenizer(p);
  throw new GraphError(`model ${p.name} has no tokenizer (vocabulary ${p.config.vocabulary}, no character set): pass token ids (JSON) instead of text`);
}
