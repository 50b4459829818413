/**
 * safetensors: write → read round trips for every dtype, malformed files
 * give typed errors naming the tensor and the fact (header length, offsets
 * out of range / overlapping / gaps, unknown dtype, shape × dtype ≠ bytes),
 * and GPT-2 weights with Hugging Face names load into gpt2-tiny's graph
 * (identical float outputs when the file holds the synthetic weights).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildGpt2,
  evaluateFloat,
  getPreset,
  gpt2SafetensorsTensors,
  gpt2WeightsFromSafetensors,
  halfToNumber,
  numberToHalf,
  parseSafetensors,
  presetGraph,
  SafetensorsError,
  tensorValues,
  weightData,
  withWeights,
  writeSafetensors,
  type SafetensorsInput,
  type TransformerConfig,
} from '../../src/models/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-st-'));

/** Write to disk and read back (the files are real files). */
function roundTrip(name: string, bytes: Uint8Array) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return parseSafetensors(new Uint8Array(readFileSync(path)));
}

/** A file with a hand-written header and `dataBytes` zero bytes of data. */
function rawFile(header: unknown, dataBytes: number): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

describe('safetensors format', () => {
  it('round-trips every dtype through a file, with metadata', () => {
    const v = [0, 1, -2, 0.5, 3, -7];
    const tensors: Record<string, SafetensorsInput> = {
      f64: { dtype: 'F64', shape: [2, 3], data: [Math.PI, ...v.slice(1)] },
      f32: { dtype: 'F32', shape: [3, 2], data: v },
      f16: { dtype: 'F16', shape: [6], data: [...v.slice(0, 5), 65504] },
      bf16: { dtype: 'BF16', shape: [1, 6], data: v },
      i64: { dtype: 'I64', shape: [6], data: [0, 1, -2, 2 ** 40, 3, -(2 ** 50)] },
      i32: { dtype: 'I32', shape: [6], data: v.map(Math.trunc) },
      u8: { dtype: 'U8', shape: [2], data: [0, 255] },
      empty: { dtype: 'F32', shape: [0, 4], data: [] },
    };
    const f = roundTrip('all.safetensors', writeSafetensors(tensors, { format: 'pt' }));
    expect(f.metadata).toEqual({ format: 'pt' });
    expect([...f.tensors.keys()]).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      const e = f.tensors.get(name)!;
      expect(e.dtype).toBe(t.dtype);
      expect(e.shape).toEqual(t.shape);
      expect(Array.from(tensorValues(e))).toEqual(Array.from(t.data));
    }
    // F32 rounds: π survives F64 exactly, F32 to 1e-7
    expect(tensorValues(f.tensors.get('f64')!)[0]).toBe(Math.PI);
    const pi32 = tensorValues(parseSafetensors(writeSafetensors({ p: { dtype: 'F32', shape: [1], data: [Math.PI] } })).tensors.get('p')!)[0]!;
    expect(Math.abs(pi32 - Math.PI)).toBeLessThan(1e-6);
  });

  it('half precision: exact on representable values, nearest-even otherwise, subnormals and specials', () => {
    for (const x of [0, 1, -1, 0.5, 1024, 65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24]) expect(halfToNumber(numberToHalf(x))).toBe(x);
    expect(halfToNumber(numberToHalf(1 + 2 ** -11))).toBe(1); // tie → even
    expect(halfToNumber(numberToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9); // tie → even (up)
    expect(halfToNumber(numberToHalf(1e6))).toBe(Infinity);
    expect(halfToNumber(numberToHalf(-1e6))).toBe(-Infinity);
    expect(Number.isNaN(halfToNumber(numberToHalf(NaN)))).toBe(true);
    expect(halfToNumber(numberToHalf(2 ** -26))).toBe(0);
    // the reader matches the bit patterns of IEEE half
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
  });

  it.each([
    ['shorter than the length field', new Uint8Array(5), /expected at least 8 bytes/],
    ['header length past the end', (() => { const b = rawFile({}, 0); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /bad header length 1000: the file has 2 bytes after the length field/],
    ['header not JSON', (() => { const b = rawFile({}, 0); b[9] = 0x7b; b[8] = 0x5b; return b; })(), /bad header: expected a JSON object/],
    ['unknown dtype', rawFile({ w: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2), /tensor "w": dtype "F8_E4M3" is unknown or unsupported; expected one of F64, F32, F16/],
    ['shape × dtype ≠ bytes', rawFile({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, 20), /tensor "w": shape \[2, 3\] × F32 \(4 bytes\) needs 24 bytes, data_offsets hold 20/],
    ['offsets out of range', rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /tensor "w": data_offsets \[0, 16\] are out of range: the data buffer has 8 bytes/],
    ['overlapping tensors', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), /tensor "b": data_offsets \[4, 12\] overlap tensor "a"/],
    ['a gap between tensors', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12), /tensor "b": data_offsets start at 8, leaving a gap after byte 4/],
    ['bytes after the last tensor', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), /4 bytes after the last tensor/],
    ['a bad shape', rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /tensor "a": shape \[-1\] is not a list of non-negative integers/],
    ['begin after end', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), /tensor "a": data_offsets \[4, 0\]: begin is after end/],
  ])('malformed: %s', (name, bytes, message) => {
    const file = `bad-${name.replace(/\W+/g, '-')}.safetensors`;
    let err: unknown;
    try {
      roundTrip(file, bytes as Uint8Array);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toMatch(message as RegExp);
  });
});

/** gpt2-tiny's synthetic weights written under Hugging Face's names. */
function hfFile(config: TransformerConfig, tokens: number, options: { prefix?: string; dtype?: 'F32' | 'F64'; drop?: string; extra?: boolean; lmHead?: boolean } = {}) {
  const g = presetGraph(getPreset('gpt2-tiny'), config.context);
  const w = (name: string) => weightData(g.weights.find((x) => x.name === name)!);
  const D = config.width;
  const F = config.hidden!;
  const dtype = options.dtype ?? 'F64';
  const t: Record<string, SafetensorsInput> = {};
  const put = (name: string, shape: number[], data: ArrayLike<number>) => {
    if (name !== options.drop) t[`${options.prefix ?? ''}${name}`] = { dtype, shape, data };
  };
  put('wte.weight', [config.vocabulary, D], w('wte'));
  put('wpe.weight', [config.context, D], w('wpe'));
  for (let l = 0; l < config.layers; l++) {
    const p = `h${l}`;
    put(`h.${l}.ln_1.weight`, [D], w(`${p}.ln1.g`));
    put(`h.${l}.ln_1.bias`, [D], w(`${p}.ln1.b`));
    const qkv = new Float64Array(D * 3 * D);
    ['q', 'k', 'v'].forEach((n, i) => {
      const m = w(`${p}.attn.${n}.w`);
      for (let r = 0; r < D; r++) for (let c = 0; c < D; c++) qkv[r * 3 * D + i * D + c] = m[r * D + c]!;
    });
    put(`h.${l}.attn.c_attn.weight`, [D, 3 * D], qkv);
    put(`h.${l}.attn.c_attn.bias`, [3 * D], [...w(`${p}.attn.q.b`), ...w(`${p}.attn.k.b`), ...w(`${p}.attn.v.b`)]);
    put(`h.${l}.attn.c_proj.weight`, [D, D], w(`${p}.attn.proj.w`));
    put(`h.${l}.attn.c_proj.bias`, [D], w(`${p}.attn.proj.b`));
    put(`h.${l}.attn.bias`, [1, 1, config.context, config.context], new Float64Array(config.context ** 2).fill(1));
    put(`h.${l}.ln_2.weight`, [D], w(`${p}.ln2.g`));
    put(`h.${l}.ln_2.bias`, [D], w(`${p}.ln2.b`));
    put(`h.${l}.mlp.c_fc.weight`, [D, F], w(`${p}.mlp.fc.w`));
    put(`h.${l}.mlp.c_fc.bias`, [F], w(`${p}.mlp.fc.b`));
    put(`h.${l}.mlp.c_proj.weight`, [F, D], w(`${p}.mlp.proj.w`));
    put(`h.${l}.mlp.c_proj.bias`, [D], w(`${p}.mlp.proj.b`));
  }
  put('ln_f.weight', [D], w('ln_f.g'));
  put('ln_f.bias', [D], w('ln_f.b'));
  if (options.lmHead) t['lm_head.weight'] = { dtype, shape: [config.vocabulary, D], data: w('wte') };
  if (options.extra) t['h.0.attn.rotary'] = { dtype, shape: [2], data: [1, 2] };
  return writeSafetensors(t);
}

describe('GPT-2 weights with Hugging Face names', () => {
  const tiny = getPreset('gpt2-tiny');
  const config = tiny.config;

  it('loads into gpt2-tiny: the float model is unchanged when the file holds its own weights', () => {
    for (const opts of [{}, { prefix: 'transformer.', lmHead: true }]) {
      const file = roundTrip('gpt2-tiny.safetensors', hfFile(config, 3, opts));
      const weights = gpt2WeightsFromSafetensors(file, config);
      const g = presetGraph(tiny, 3);
      const loaded = withWeights(g, weights);
      const input = { tokens: [2, 8, 1] };
      const want = evaluateFloat(g, input).get(g.outputs[0]!)!.data;
      const got = evaluateFloat(loaded, input).get(loaded.outputs[0]!)!.data;
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('F32 weights load (rounded), and change the model only by the rounding', () => {
    const file = roundTrip('gpt2-tiny-f32.safetensors', hfFile(config, 2, { dtype: 'F32' }));
    const g = presetGraph(tiny, 2);
    const loaded = withWeights(g, gpt2WeightsFromSafetensors(file, config));
    const want = evaluateFloat(g, { tokens: [1, 2] }).get(g.outputs[0]!)!.data;
    const got = evaluateFloat(loaded, { tokens: [1, 2] }).get(loaded.outputs[0]!)!.data;
    got.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThan(1e-4));
  });

  it('names missing tensors, unexpected tensors and shape mismatches', () => {
    const missing = roundTrip('missing.safetensors', hfFile(config, 2, { drop: 'h.0.mlp.c_fc.bias', extra: true }));
    expect(() => gpt2WeightsFromSafetensors(missing, config)).toThrow(/missing 1: h\.0\.mlp\.c_fc\.bias \[16\]; unexpected 1: h\.0\.attn\.rotary/);
    const wide = { ...config, width: 16, heads: 2 };
    expect(() => gpt2WeightsFromSafetensors(missing, wide)).toThrow(/shape mismatch \d+: wte\.weight: expected shape \[16, 16\], got \[16, 8\]/);
    const twoLayers = { ...config, layers: 2 };
    expect(() => gpt2WeightsFromSafetensors(roundTrip('ok.safetensors', hfFile(config, 2)), twoLayers)).toThrow(/missing \d+: h\.1\.ln_1\.weight \[8\]/);
  });
});

describe('gpt2SafetensorsTensors (our names → Hugging Face names)', () => {
  it('is the loader’s inverse: a 2-layer GPT-2 written and read back has every weight bit-identical (F64)', () => {
    const config: TransformerConfig = { layers: 2, heads: 2, width: 8, context: 4, vocabulary: 16, hidden: 16 };
    const g = buildGpt2(config, { tokens: config.context, seed: 'st-inverse' });
    const w = (name: string) => weightData(g.weights.find((x) => x.name === name)!);
    const bytes = writeSafetensors(gpt2SafetensorsTensors(config, w, 'F64'));
    const back = gpt2WeightsFromSafetensors(parseSafetensors(bytes), config);
    expect([...back.keys()].sort()).toEqual(g.weights.map((x) => x.name).sort());
    for (const x of g.weights) expect(back.get(x.name), x.name).toEqual(w(x.name));
    // c_attn holds q, k, v side by side per row: row 0 starts with q's row 0, then k's, then v's
    const t = gpt2SafetensorsTensors(config, w, 'F64');
    const qkv = t['h.1.attn.c_attn.weight']!.data;
    expect(Array.from({ length: 8 }, (_, j) => qkv[8 + j])).toEqual(Array.from(w('h1.attn.k.w').subarray(0, 8)));
  });

  it('names a weight of the wrong size', () => {
    const config: TransformerConfig = { layers: 1, heads: 2, width: 8, context: 4, vocabulary: 16, hidden: 16 };
    expect(() => gpt2SafetensorsTensors(config, () => new Float64Array(3))).toThrow(/wte.weight needs 128 values \[16, 8\], got 3/);
  });
});
