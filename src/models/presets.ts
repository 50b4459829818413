/**
 * GPT-2 presets and the character vocabularies of the small ones.
 *
 *   preset      layers heads width context vocab  weights    use
 *   gpt2-tiny      1     2     8      4      16   synthetic  tests (MLP width 16; k = 11)
 *   nanogpt        4     4    64     64      65   synthetic  nanoGPT's char Shakespeare shape, no biases
 *   gpt2-small    12    12   768   1024   50257   synthetic  cost estimates only (124M parameters)
 *
 * The quantization settings of the small presets come from `calibrate` on
 * fixed sample prompts at the full context (deterministic, so a verifier
 * recomputes the same circuit); gpt2-small's are set by hand (its float
 * model is too large to calibrate here).
 */
import { buildGpt2, type TransformerConfig } from './builders.js';
import { calibrate } from './calibrate.js';
import { GraphError, type Graph } from './ir.js';
import type { QuantParams } from './quant.js';

export type PresetName = 'gpt2-tiny' | 'nanogpt' | 'gpt2-small';

export interface Preset {
  readonly name: PresetName;
  readonly config: TransformerConfig;
  readonly seed: string;
  /** Characters of the vocabulary (id = index), for text input; undefined: ids only. */
  readonly vocabulary?: string;
  /** Activation and weight scale s. */
  readonly scale: number;
  /** Fixed columns for fixed tensors (weights). */
  readonly fixedColumns: number;
  /** Prompts for calibration. */
  readonly samples: readonly string[];
  /** Hand-set quantization (skips calibration). */
  readonly quant?: QuantParams;
  /**
   * Bits per range-check limb (calibration's `limbBits`; default 8): the
   * range table has 2^limbBits rows, so a model whose circuit has the rows
   * anyway takes wider limbs and fewer limb columns and lookups.
   */
  readonly limbBits?: number;
}

/** 16 characters: space, the most frequent English letters, and '.'. */
export const TINY_VOCAB = ' etaoinshrdlucm.';
/** nanoGPT's tiny-Shakespeare character set (65). */
export const SHAKESPEARE_VOCAB = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  'gpt2-tiny': {
    name: 'gpt2-tiny',
    config: { layers: 1, heads: 2, width: 8, context: 4, vocabulary: 16, hidden: 16 },
    seed: 'gpt2-tiny',
    vocabulary: TINY_VOCAB,
    scale: 7,
    fixedColumns: 4,
    samples: ['the ', 'moon', 'rain', 'sun.', 'lo. ', 'each', 'cuts', 'home', '....', 'dim '],
  },
  nanogpt: {
    name: 'nanogpt',
    config: { layers: 4, heads: 4, width: 64, context: 64, vocabulary: 65, bias: false },
    seed: 'nanogpt',
    vocabulary: SHAKESPEARE_VOCAB,
    scale: 8,
    fixedColumns: 8,
    // k = 16 either way: a 2^14-row range table fits, and 14-bit limbs take advice 265 → 212 columns, lookup helpers 42 → 29
    limbBits: 14,
    samples: [
      'First Citizen:\nBefore we proceed any further, hear me speak.\nAll:',
      'ROMEO:\nBut, soft! what light through yonder window breaks? It is',
    ],
  },
  'gpt2-small': {
    name: 'gpt2-small',
    config: { layers: 12, heads: 12, width: 768, context: 1024, vocabulary: 50257 },
    seed: 'gpt2-small',
    scale: 8,
    fixedColumns: 64,
    samples: [],
    quant: { scale: 8, bits: 24, gelu: { min: -2048, max: 2047 }, varBits: 20 },
  },
};

export function presetNames(): PresetName[] {
  return Object.keys(PRESETS) as PresetName[];
}

export function getPreset(name: string): Preset {
  const p = (PRESETS as Record<string, Preset>)[name];
  if (!p) throw new GraphError(`unknown model "${name}": expected one of ${presetNames().join(', ')}`);
  return p;
}

/** Token ids of `text` in the preset's character vocabulary. */
export function encodeText(p: Preset, text: string): number[] {
  if (!p.vocabulary) throw new GraphError(`model ${p.name} has no character vocabulary: pass token ids (JSON) instead of text`);
  return [...text].map((ch, i) => {
    const id = p.vocabulary!.indexOf(ch);
    if (id < 0) throw new GraphError(`character ${JSON.stringify(ch)} at position ${i} is not in the ${p.name} vocabulary ${JSON.stringify(p.vocabulary)}`);
    return id;
  });
}

export function decodeToken(p: Preset, id: number): string {
  return p.vocabulary?.[id] ?? `<${id}>`;
}

export function presetGraph(p: Preset, tokens: number): Graph {
  return buildGpt2(p.config, { tokens, seed: p.seed, name: p.name });
}

const quantCache = new Map<string, QuantParams>();

/** The preset's quantization: calibrated on its sample prompts at full context (cached). */
export function presetQuant(p: Preset): QuantParams {
  if (p.quant) return p.quant;
  let q = quantCache.get(p.name);
  if (!q) {
    const T = p.config.context;
    const g = presetGraph(p, T);
    const samples = p.samples.map((text) => ({ tokens: encodeText(p, text.padEnd(T, ' ').slice(0, T)) }));
    q = calibrate(g, samples, { scale: p.scale, ...(p.limbBits === undefined ? {} : { limbBits: p.limbBits }) }).quant;
    quantCache.set(p.name, q);
  }
  return q;
}
