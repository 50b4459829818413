/**
 * Helpers of the CLI tests: run `runCli` in-process with captured output,
 * and gpt2-tiny's synthetic weights as a safetensors file (Hugging Face
 * GPT-2 names), optionally with one weight changed.
 */
import { runCli } from '../../src/cli/main.js';
import type { ProgressSink } from '../../src/cli/progress.js';
import { getPreset, presetGraph, weightData, writeSafetensors, type SafetensorsInput } from '../../src/models/index.js';

export interface Run {
  code: number;
  out: string;
  err: string;
  progress: string;
}

export async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  let progress = '';
  const sink: ProgressSink = { isTTY: false, write: (t) => void (progress += t) };
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: sink });
  return { code, out: out.join('\n'), err: err.join('\n'), progress };
}

export const json = (r: Run) => JSON.parse(r.out) as Record<string, unknown>;

/** gpt2-tiny's synthetic weights under Hugging Face GPT-2 names, as F32. */
export function gpt2TinySafetensors(nudge = 0): Uint8Array {
  const p = getPreset('gpt2-tiny');
  const { width: D, hidden, context, vocabulary: V } = p.config;
  const F = hidden!;
  const g = presetGraph(p, context);
  const w = (name: string) => weightData(g.weights.find((x) => x.name === name)!);
  const t: Record<string, SafetensorsInput> = {
    'wte.weight': { dtype: 'F32', shape: [V, D], data: w('wte') },
    'wpe.weight': { dtype: 'F32', shape: [context, D], data: w('wpe') },
    'h.0.ln_1.weight': { dtype: 'F32', shape: [D], data: w('h0.ln1.g') },
    'h.0.ln_1.bias': { dtype: 'F32', shape: [D], data: w('h0.ln1.b') },
    'h.0.attn.c_attn.weight': {
      dtype: 'F32',
      shape: [D, 3 * D],
      data: Array.from({ length: D * 3 * D }, (_, i) => w(`h0.attn.${'qkv'[Math.floor((i % (3 * D)) / D)]}.w`)[Math.floor(i / (3 * D)) * D + (i % D)]!),
    },
    'h.0.attn.c_attn.bias': { dtype: 'F32', shape: [3 * D], data: [...w('h0.attn.q.b'), ...w('h0.attn.k.b'), ...w('h0.attn.v.b')] },
    'h.0.attn.c_proj.weight': { dtype: 'F32', shape: [D, D], data: w('h0.attn.proj.w') },
    'h.0.attn.c_proj.bias': { dtype: 'F32', shape: [D], data: w('h0.attn.proj.b') },
    'h.0.ln_2.weight': { dtype: 'F32', shape: [D], data: w('h0.ln2.g') },
    'h.0.ln_2.bias': { dtype: 'F32', shape: [D], data: w('h0.ln2.b') },
    'h.0.mlp.c_fc.weight': { dtype: 'F32', shape: [D, F], data: w('h0.mlp.fc.w') },
    'h.0.mlp.c_fc.bias': { dtype: 'F32', shape: [F], data: w('h0.mlp.fc.b') },
    'h.0.mlp.c_proj.weight': { dtype: 'F32', shape: [F, D], data: w('h0.mlp.proj.w') },
    'h.0.mlp.c_proj.bias': { dtype: 'F32', shape: [D], data: w('h0.mlp.proj.b') },
    'ln_f.weight': { dtype: 'F32', shape: [D], data: w('ln_f.g') },
    'ln_f.bias': { dtype: 'F32', shape: [D], data: w('ln_f.b') },
  };
  // nudge: move one MLP weight, so the file holds other weights of the same shape
  const fc = t['h.0.mlp.c_fc.weight']!;
  t['h.0.mlp.c_fc.weight'] = { ...fc, data: Array.from(fc.data, (v, i) => (i === 5 ? v + nudge : v)) };
  return writeSafetensors(t, { format: 'pt' });
}
