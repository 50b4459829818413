/**
 * safetensors (Hugging Face's tensor file format) and GPT-2 weights in it.
 *
 *   bytes 0…8      N: header length, u64 little-endian
 *   bytes 8…8+N    JSON header { "__metadata__"?: {str: str},
 *                                <name>: { dtype, shape: [..], data_offsets: [begin, end] } }
 *   bytes 8+N…     the data buffer; offsets are relative to its start, the
 *                  tensors tile it exactly (no gaps, no overlap, nothing after)
 *
 * Values are little-endian, row-major. Reading checks everything the
 * reference implementation checks and names the tensor and the fact that
 * is wrong (`SafetensorsError`). `writeSafetensors` writes the same format
 * (header padded with spaces to 8 bytes, as the reference does), for tests.
 *
 * GPT-2 with Hugging Face names (`GPT2Model` / `GPT2LMHeadModel`, whose
 * Conv1D weights are stored [in, out], so x·W needs no transpose):
 *
 *   HF name                         ours (builders.ts)              shape
 *   wte.weight                      wte                             [V, D]
 *   wpe.weight                      wpe (first T rows)              [context, D]
 *   h.{l}.ln_1.weight / .bias       h{l}.ln1.g / .b                 [D]
 *   h.{l}.attn.c_attn.weight        h{l}.attn.{q,k,v}.w (columns)   [D, 3D]
 *   h.{l}.attn.c_attn.bias          h{l}.attn.{q,k,v}.b             [3D]
 *   h.{l}.attn.c_proj.weight/.bias  h{l}.attn.proj.w / .b           [D, D] / [D]
 *   h.{l}.ln_2.weight / .bias       h{l}.ln2.g / .b                 [D]
 *   h.{l}.mlp.c_fc.weight / .bias   h{l}.mlp.fc.w / .b              [D, F] / [F]
 *   h.{l}.mlp.c_proj.weight/.bias   h{l}.mlp.proj.w / .b            [F, D] / [D]
 *   ln_f.weight / .bias             ln_f.g / .b                     [D]
 * A "transformer." prefix is accepted; the causal-mask buffers
 * (h.{l}.attn.bias, h.{l}.attn.masked_bias) are ignored; lm_head.weight must
 * equal wte.weight (our LM head is tied).
 */
import { type Graph, GraphError, numel, type WeightDef } from './ir.js';
import type { TransformerConfig } from './builders.js';
import { bf16ToNumber, halfToNumber, numberToBf16, numberToHalf } from './float16.js';

export class SafetensorsError extends GraphError {
  constructor(
    message: string,
    /** The tensor concerned, when there is one. */
    readonly tensor?: string,
  ) {
    super(message);
  }
}

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
export const SAFETENSORS_DTYPES = Object.keys(DTYPE_BYTES) as SafetensorsDtype[];
/** The reference implementation refuses headers over 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** The raw little-endian bytes (a view into the file). */
  readonly bytes: Uint8Array;
}

export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Parse a safetensors file; typed errors name the tensor and what is wrong. */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`safetensors: expected at least 8 bytes (the header length), got ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new SafetensorsError(`safetensors: bad header length ${n}: the file has ${bytes.length - 8} bytes after the length field`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`safetensors: bad header length ${n}: expected at most ${MAX_HEADER_BYTES}`);
  const headerLen = Number(n);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(8, 8 + headerLen));
  if (!text.startsWith('{')) throw new SafetensorsError(`safetensors: bad header: expected a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 16))}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new SafetensorsError(`safetensors: bad header: invalid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError('safetensors: bad header: expected a JSON object');
  const data = bytes.subarray(8 + headerLen);
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null) throw new SafetensorsError('safetensors: __metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new SafetensorsError(`safetensors: __metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const fail = (what: string): never => {
      throw new SafetensorsError(`safetensors: tensor "${name}": ${what}`, name);
    };
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) fail('expected {dtype, shape, data_offsets}');
    const dtype = t.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) fail(`dtype ${JSON.stringify(t.dtype)} is unknown or unsupported; expected one of ${SAFETENSORS_DTYPES.join(', ')}`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) fail(`data_offsets ${JSON.stringify(offs)} is not [begin, end]`);
    const [begin, end] = offs as [number, number];
    if (begin > end) fail(`data_offsets [${begin}, ${end}]: begin is after end`);
    if (end > data.length) fail(`data_offsets [${begin}, ${end}] are out of range: the data buffer has ${data.length} bytes`);
    const want = numel(shape as number[]) * DTYPE_BYTES[dtype];
    if (end - begin !== want) fail(`shape ${fmt(shape as number[])} × ${dtype} (${DTYPE_BYTES[dtype]} bytes) needs ${want} bytes, data_offsets hold ${end - begin}`);
    spans.push({ name, begin, end });
    tensors.set(name, { name, dtype, shape: shape as number[], bytes: data.subarray(begin, end) });
  }
  // the tensors must tile the data buffer: sorted by begin, each starts where the previous ended
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = '';
  for (const s of spans) {
    if (s.begin < at) throw new SafetensorsError(`safetensors: tensor "${s.name}": data_offsets [${s.begin}, ${s.end}] overlap tensor "${prev}" (which ends at ${at})`, s.name);
    if (s.begin > at) throw new SafetensorsError(`safetensors: tensor "${s.name}": data_offsets start at ${s.begin}, leaving a gap after byte ${at}`, s.name);
    at = s.end;
    prev = s.name;
  }
  if (at !== data.length) throw new SafetensorsError(`safetensors: ${data.length - at} bytes after the last tensor: the tensors cover ${at} of ${data.length} data bytes`);
  return { metadata, tensors };
}

export { halfToNumber, numberToHalf } from './float16.js';

/** A tensor's values as float64 (integers converted; I64 beyond 2^53 rejected). */
export function tensorValues(e: SafetensorsEntry): Float64Array {
  const n = numel(e.shape);
  const dv = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (e.dtype) {
      case 'F64': out[i] = dv.getFloat64(8 * i, true); break;
      case 'F32': out[i] = dv.getFloat32(4 * i, true); break;
      case 'F16': out[i] = halfToNumber(dv.getUint16(2 * i, true)); break;
      case 'BF16': out[i] = bf16ToNumber(dv.getUint16(2 * i, true)); break;
      case 'I64': {
        const v = dv.getBigInt64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new SafetensorsError(`safetensors: tensor "${e.name}": value ${v} at ${i} is not exactly representable as a number`, e.name);
        out[i] = Number(v);
        break;
      }
      case 'I32': out[i] = dv.getInt32(4 * i, true); break;
      case 'I16': out[i] = dv.getInt16(2 * i, true); break;
      case 'I8': out[i] = dv.getInt8(i); break;
      case 'U8':
      case 'BOOL': out[i] = dv.getUint8(i); break;
    }
  }
  return out;
}

export interface SafetensorsInput {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Write tensors (in the given order) and optional string metadata. */
export function writeSafetensors(tensors: Readonly<Record<string, SafetensorsInput>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (!(t.dtype in DTYPE_BYTES)) throw new SafetensorsError(`writeSafetensors: tensor "${name}": unknown dtype ${t.dtype}`, name);
    if (t.data.length !== numel(t.shape)) throw new SafetensorsError(`writeSafetensors: tensor "${name}": shape ${fmt(t.shape)} needs ${numel(t.shape)} values, got ${t.data.length}`, name);
    const size = t.data.length * DTYPE_BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++) {
      const x = t.data[i]!;
      switch (t.dtype) {
        case 'F64': dv.setFloat64(at, x, true); break;
        case 'F32': dv.setFloat32(at, x, true); break;
        case 'F16': dv.setUint16(at, numberToHalf(x), true); break;
        case 'BF16': dv.setUint16(at, numberToBf16(x), true); break;
        case 'I64': dv.setBigInt64(at, BigInt(Math.trunc(x)), true); break;
        case 'I32': dv.setInt32(at, x, true); break;
        case 'I16': dv.setInt16(at, x, true); break;
        case 'I8': dv.setInt8(at, x); break;
        case 'U8':
        case 'BOOL': dv.setUint8(at, x); break;
      }
      at += DTYPE_BYTES[t.dtype];
    }
  }
  return out;
}

/**
 * Map a GPT-2 safetensors file (Hugging Face names) onto our weight names
 * for `config`. Every problem is collected and reported at once: tensors
 * missing, tensors unexpected, and shape mismatches (expected vs got).
 */
export function gpt2WeightsFromSafetensors(file: SafetensorsFile, config: TransformerConfig): Map<string, Float64Array> {
  const { width: D, vocabulary: V, context, layers } = config;
  const F = config.hidden ?? 4 * D;
  const bias = config.bias ?? true;
  const prefixed = [...file.tensors.keys()].some((k) => k.startsWith('transformer.'));
  const strip = (k: string) => (prefixed && k.startsWith('transformer.') ? k.slice('transformer.'.length) : k);
  const byName = new Map<string, SafetensorsEntry>();
  for (const [k, e] of file.tensors) byName.set(strip(k), e);
  const used = new Set<string>();
  const missing: string[] = [];
  const mismatched: string[] = [];
  const out = new Map<string, Float64Array>();

  const take = (hf: string, shape: readonly number[], optional = false): Float64Array | undefined => {
    const e = byName.get(hf);
    if (!e) {
      if (!optional) missing.push(`${hf} ${fmt(shape)}`);
      return undefined;
    }
    used.add(hf);
    if (fmt(e.shape) !== fmt(shape)) {
      mismatched.push(`${hf}: expected shape ${fmt(shape)}, got ${fmt(e.shape)}`);
      return undefined;
    }
    return tensorValues(e);
  };
  const put = (ours: string, v: Float64Array | undefined) => v && out.set(ours, v);
  /** Columns [c0, c0 + w) of a row-major [rows, cols] matrix. */
  const columns = (m: Float64Array, rows: number, cols: number, c0: number, w: number) => {
    const r = new Float64Array(rows * w);
    for (let i = 0; i < rows; i++) r.set(m.subarray(i * cols + c0, i * cols + c0 + w), i * w);
    return r;
  };
  const ln = (hf: string, ours: string) => {
    put(`${ours}.g`, take(`${hf}.weight`, [D]));
    const b = take(`${hf}.bias`, [D], !bias);
    put(`${ours}.b`, b ?? (bias ? undefined : new Float64Array(D)));
  };

  put('wte', take('wte.weight', [V, D]));
  put('wpe', take('wpe.weight', [context, D]));
  for (let l = 0; l < layers; l++) {
    const hf = `h.${l}`;
    const ours = `h${l}`;
    ln(`${hf}.ln_1`, `${ours}.ln1`);
    const qkv = take(`${hf}.attn.c_attn.weight`, [D, 3 * D]);
    if (qkv) ['q', 'k', 'v'].forEach((p, i) => out.set(`${ours}.attn.${p}.w`, columns(qkv, D, 3 * D, i * D, D)));
    if (bias) {
      const b = take(`${hf}.attn.c_attn.bias`, [3 * D]);
      if (b) ['q', 'k', 'v'].forEach((p, i) => out.set(`${ours}.attn.${p}.b`, b.slice(i * D, (i + 1) * D)));
    }
    put(`${ours}.attn.proj.w`, take(`${hf}.attn.c_proj.weight`, [D, D]));
    if (bias) put(`${ours}.attn.proj.b`, take(`${hf}.attn.c_proj.bias`, [D]));
    ln(`${hf}.ln_2`, `${ours}.ln2`);
    put(`${ours}.mlp.fc.w`, take(`${hf}.mlp.c_fc.weight`, [D, F]));
    if (bias) put(`${ours}.mlp.fc.b`, take(`${hf}.mlp.c_fc.bias`, [F]));
    put(`${ours}.mlp.proj.w`, take(`${hf}.mlp.c_proj.weight`, [F, D]));
    if (bias) put(`${ours}.mlp.proj.b`, take(`${hf}.mlp.c_proj.bias`, [D]));
    // causal-mask buffers of the HF implementation: not weights
    for (const buf of ['attn.bias', 'attn.masked_bias']) if (byName.has(`${hf}.${buf}`)) used.add(`${hf}.${buf}`);
  }
  ln('ln_f', 'ln_f');
  const head = byName.get('lm_head.weight');
  if (head) {
    used.add('lm_head.weight');
    const wte = out.get('wte');
    const lm = fmt(head.shape) === fmt([V, D]) ? tensorValues(head) : undefined;
    if (!lm) mismatched.push(`lm_head.weight: expected shape ${fmt([V, D])} (tied to wte.weight), got ${fmt(head.shape)}`);
    else if (wte && lm.some((x, i) => x !== wte[i])) mismatched.push('lm_head.weight: differs from wte.weight; zktensor\'s GPT-2 ties the LM head to the token embedding');
  }
  const unexpected = [...byName.keys()].filter((k) => !used.has(k));
  const problems = [
    ...(missing.length ? [`missing ${missing.length}: ${list(missing)}`] : []),
    ...(unexpected.length ? [`unexpected ${unexpected.length}: ${list(unexpected)}`] : []),
    ...(mismatched.length ? [`shape mismatch ${mismatched.length}: ${list(mismatched)}`] : []),
  ];
  if (problems.length) {
    const cfg = `layers ${layers}, width ${D}, hidden ${F}, context ${context}, vocabulary ${V}${bias ? '' : ', no biases'}`;
    throw new SafetensorsError(`GPT-2 weights do not fit the model (${cfg}): ${problems.join('; ')}`);
  }
  return out;
}

const list = (xs: readonly string[]) => (xs.length <= 8 ? xs.join(', ') : `${xs.slice(0, 8).join(', ')}, … (${xs.length - 8} more)`);

/**
 * `graph` with its weights replaced by `values` (our names). A weight whose
 * shape is smaller than the value (wpe: the first T of `context` rows) takes
 * the leading entries. Every graph weight must have a value.
 */
export function withWeights(graph: Graph, values: ReadonlyMap<string, Float64Array>): Graph {
  const weights: WeightDef[] = graph.weights.map((w) => {
    const v = values.get(w.name);
    const n = numel(w.shape);
    if (!v) throw new SafetensorsError(`weights: no value for "${w.name}" ${fmt(w.shape)}`, w.name);
    if (v.length < n) throw new SafetensorsError(`weights: "${w.name}" needs ${n} values ${fmt(w.shape)}, got ${v.length}`, w.name);
    return { name: w.name, shape: w.shape, data: v.length === n ? v : v.slice(0, n) };
  });
  return { ...graph, weights };
}

/**
 * The inverse of `gpt2WeightsFromSafetensors`: GPT-2 weights under our names
 * (`weight(name)`, wpe with all `context` rows) as Hugging Face tensors
 * (c_attn's q, k, v side by side; no lm_head: it is tied), ready for
 * `writeSafetensors`. Used to write the synthetic presets' weights as a
 * file that goes through the same loader as real checkpoints.
 */
export function gpt2SafetensorsTensors(config: TransformerConfig, weight: (name: string) => Float64Array, dtype: SafetensorsDtype = 'F32'): Record<string, SafetensorsInput> {
  const { width: D, vocabulary: V, context, layers } = config;
  const F = config.hidden ?? 4 * D;
  const bias = config.bias ?? true;
  const t: Record<string, SafetensorsInput> = {};
  const put = (hf: string, shape: readonly number[], data: Float64Array) => {
    if (data.length !== numel(shape)) throw new SafetensorsError(`gpt2SafetensorsTensors: ${hf} needs ${numel(shape)} values ${fmt(shape)}, got ${data.length}`, hf);
    t[hf] = { dtype, shape, data };
  };
  put('wte.weight', [V, D], weight('wte'));
  put('wpe.weight', [context, D], weight('wpe'));
  const ln = (hf: string, ours: string) => {
    put(`${hf}.weight`, [D], weight(`${ours}.g`));
    if (bias) put(`${hf}.bias`, [D], weight(`${ours}.b`));
  };
  for (let l = 0; l < layers; l++) {
    const [hf, ours] = [`h.${l}`, `h${l}`];
    ln(`${hf}.ln_1`, `${ours}.ln1`);
    const [q, k, v] = ['q', 'k', 'v'].map((p) => weight(`${ours}.attn.${p}.w`)) as [Float64Array, Float64Array, Float64Array];
    const qkv = new Float64Array(D * 3 * D);
    for (let i = 0; i < D; i++) [q, k, v].forEach((m, j) => qkv.set(m.subarray(i * D, (i + 1) * D), i * 3 * D + j * D));
    put(`${hf}.attn.c_attn.weight`, [D, 3 * D], qkv);
    if (bias) {
      const b = new Float64Array(3 * D);
      ['q', 'k', 'v'].forEach((p, j) => b.set(weight(`${ours}.attn.${p}.b`), j * D));
      put(`${hf}.attn.c_attn.bias`, [3 * D], b);
    }
    put(`${hf}.attn.c_proj.weight`, [D, D], weight(`${ours}.attn.proj.w`));
    if (bias) put(`${hf}.attn.c_proj.bias`, [D], weight(`${ours}.attn.proj.b`));
    ln(`${hf}.ln_2`, `${ours}.ln2`);
    put(`${hf}.mlp.c_fc.weight`, [D, F], weight(`${ours}.mlp.fc.w`));
    if (bias) put(`${hf}.mlp.c_fc.bias`, [F], weight(`${ours}.mlp.fc.b`));
    put(`${hf}.mlp.c_proj.weight`, [F, D], weight(`${ours}.mlp.proj.w`));
    if (bias) put(`${hf}.mlp.c_proj.bias`, [D], weight(`${ours}.mlp.proj.b`));
  }
  ln('ln_f', 'ln_f');
  return t;
}
