/**
 * ONNX import, part 1: decode an .onnx file (protobuf ModelProto, schema from
 * the `onnx-proto` package) into plain TypeScript values: the graph's nodes
 * with decoded attributes, initializers as Float64Array tensors, inputs and
 * outputs with their (possibly symbolic) shapes, and the opset.
 *
 *   ModelProto   ir_version, opset_import[], graph
 *   GraphProto   node[], initializer[] (TensorProto), input[], output[] (ValueInfoProto)
 *   NodeProto    op_type, domain, input[], output[], attribute[] (AttributeProto)
 *   TensorProto  dims[], data_type, raw_data (little endian) or a typed field
 *                (float_data, int32_data, int64_data, double_data, uint64_data)
 *
 * Every tensor value is held as float64 (int64 values beyond 2^53 lose
 * precision; they only occur as "infinity" markers such as Slice ends, which
 * are clamped anyway). Anything malformed or outside this subset throws an
 * `OnnxImportError` naming the node or tensor; nothing else escapes.
 *
 * The float evaluator over these graphs is `onnx-eval.ts`; the lowering to
 * the circuit IR is `onnx-ops.ts`.
 */
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { bf16ToNumber as bfloat16, halfToNumber as float16 } from './float16.js';
import { GraphError } from './ir.js';

const { onnx } = onnxProto;

/** Malformed or unsupported ONNX input; `node` and `op` name where, when known. */
export class OnnxImportError extends GraphError {
  constructor(
    message: string,
    readonly node?: string,
    readonly op?: string,
  ) {
    super(node !== undefined || op !== undefined ? `onnx node ${node ?? '?'} (${op ?? '?'}): ${message}` : `onnx: ${message}`);
  }
}

/** ONNX TensorProto.DataType codes this importer reads. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

const DTYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(OnnxDataType).map(([k, v]) => [v, k]));
export const dtypeName = (t: number): string => DTYPE_NAMES[t] ?? `dtype ${t}`;
export const isFloatType = (t: number): boolean => t === 1 || t === 10 || t === 11 || t === 16;

/** A dense tensor: row-major values as float64, with its ONNX element type. */
export interface OnnxTensor {
  readonly dims: readonly number[];
  readonly dtype: number;
  readonly data: Float64Array;
}

/** One dimension of a declared shape: a number, a symbolic name, or unknown. */
export type OnnxDim = number | string | undefined;

export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: number;
  /** undefined: rank unknown. */
  readonly shape: readonly OnnxDim[] | undefined;
}

export type OnnxAttr = number | string | OnnxTensor | readonly number[] | readonly string[];

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, OnnxAttr>;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  /** Graph inputs that are not initializers. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Opset version of the default ('' / 'ai.onnx') domain. */
  readonly opset: number;
  readonly producer: string;
  readonly graph: OnnxGraph;
}

type Int64 = number | { toNumber(): number } | null | undefined;
const int = (v: Int64): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Decode a TensorProto (an initializer, a Constant's value, or a test case's .pb file). */
export function decodeTensor(t: proto.ITensorProto, where = `tensor ${t.name ?? ''}`): OnnxTensor {
  const dims = (t.dims ?? []).map(int);
  const dtype = t.dataType ?? 0;
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new OnnxImportError(`${where}: invalid dims [${dims.join(', ')}]`);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new OnnxImportError(`${where}: external data is not supported; save the model with its weights inside the file`);
  const n = dims.reduce((a, b) => a * b, 1);
  let data: Float64Array;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Record<number, [number, (o: number) => number]> = {
      1: [4, (o) => view.getFloat32(o, true)],
      2: [1, (o) => view.getUint8(o)],
      3: [1, (o) => view.getInt8(o)],
      4: [2, (o) => view.getUint16(o, true)],
      5: [2, (o) => view.getInt16(o, true)],
      6: [4, (o) => view.getInt32(o, true)],
      7: [8, (o) => Number(view.getBigInt64(o, true))],
      9: [1, (o) => view.getUint8(o)],
      10: [2, (o) => float16(view.getUint16(o, true))],
      11: [8, (o) => view.getFloat64(o, true)],
      12: [4, (o) => view.getUint32(o, true)],
      13: [8, (o) => Number(view.getBigUint64(o, true))],
      16: [2, (o) => bfloat16(view.getUint16(o, true))],
    };
    const r = read[dtype];
    if (!r) throw new OnnxImportError(`${where}: element type ${dtypeName(dtype)} is not supported`);
    const [size, get] = r;
    if (raw.length !== n * size) throw new OnnxImportError(`${where}: raw_data holds ${raw.length} bytes, dims [${dims.join(', ')}] of ${dtypeName(dtype)} need ${n * size}`);
    data = Float64Array.from({ length: n }, (_, i) => get(i * size));
  } else {
    let values: ArrayLike<number>;
    if (dtype === 1) values = t.floatData ?? [];
    else if (dtype === 11) values = t.doubleData ?? [];
    else if (dtype === 7) values = (t.int64Data ?? []).map(int);
    else if (dtype === 12 || dtype === 13) values = (t.uint64Data ?? []).map(int);
    else if (dtype === 10) values = (t.int32Data ?? []).map(float16);
    else if (dtype === 16) values = (t.int32Data ?? []).map(bfloat16);
    else if ([2, 3, 4, 5, 6, 9].includes(dtype)) values = t.int32Data ?? [];
    else throw new OnnxImportError(`${where}: element type ${dtypeName(dtype)} is not supported`);
    if (values.length !== n) throw new OnnxImportError(`${where}: holds ${values.length} values, dims [${dims.join(', ')}] need ${n}`);
    data = Float64Array.from(values);
  }
  return { dims, dtype, data };
}

/** Decode a serialized TensorProto (e.g. a node test case's input_0.pb). */
export function parseOnnxTensor(bytes: Uint8Array, where = 'tensor file'): OnnxTensor {
  let t: proto.TensorProto;
  try {
    t = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new OnnxImportError(`${where}: not a TensorProto (${(e as Error).message})`);
  }
  return decodeTensor(t, where);
}

function decodeAttr(a: proto.IAttributeProto, node: string, op: string): OnnxAttr {
  const T = onnx.AttributeProto.AttributeType;
  const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return int(a.i);
    case T.STRING:
      return text(a.s);
    case T.TENSOR:
      if (!a.t) throw new OnnxImportError(`attribute ${a.name}: tensor missing`, node, op);
      return decodeTensor(a.t, `node ${node} attribute ${a.name}`);
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.INTS:
      return (a.ints ?? []).map(int);
    case T.STRINGS:
      return (a.strings ?? []).map(text);
    default:
      throw new OnnxImportError(`attribute ${a.name}: type ${a.type} (graphs, sparse tensors, type protos) is not supported`, node, op);
  }
}

function decodeValueInfo(v: proto.IValueInfoProto, role: string): OnnxValueInfo {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) throw new OnnxImportError(`${role} "${name}": only tensor-typed inputs and outputs are supported (got a sequence, map or optional type)`);
  const shape = tt.shape ? (tt.shape.dim ?? []).map((d): OnnxDim => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? int(d.dimValue) : undefined)) : undefined;
  return { name, dtype: tt.elemType ?? 0, shape };
}

/** Parse an .onnx file. Throws `OnnxImportError` for malformed bytes or unsupported content. */
export function parseOnnx(bytes: Uint8Array): OnnxModel {
  let m: proto.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxImportError(`not an ONNX model: protobuf decoding failed (${(e as Error).message})`);
  }
  const g = m.graph;
  if (!g || !g.node) throw new OnnxImportError('the model has no graph');
  const opsets = m.opsetImport ?? [];
  const main = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = main ? int(main.version) : 0;
  if (!main) throw new OnnxImportError('the model imports no default-domain opset');
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', decodeTensor(t, `initializer ${t.name}`));
  if ((g.sparseInitializer ?? []).length > 0) throw new OnnxImportError('sparse initializers are not supported');
  const nodes: OnnxNode[] = g.node.map((n, i) => {
    const name = n.name || n.output?.[0] || `#${i}`;
    const op = n.opType ?? '';
    const attrs = new Map<string, OnnxAttr>();
    for (const a of n.attribute ?? []) {
      if (a.refAttrName) throw new OnnxImportError(`attribute ${a.name} refers to a function attribute`, name, op);
      attrs.set(a.name ?? '', decodeAttr(a, name, op));
    }
    return { name, opType: op, domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
  });
  return {
    irVersion: int(m.irVersion),
    opset,
    producer: m.producerName ?? '',
    graph: {
      name: g.name || 'onnx',
      nodes,
      initializers,
      inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => decodeValueInfo(v, 'input')),
      outputs: (g.output ?? []).map((v) => decodeValueInfo(v, 'output')),
    },
  };
}

/** Attribute readers with typed errors. */
export class AttrReader {
  constructor(readonly node: OnnxNode) {}
  private fail(name: string, expected: string, got: OnnxAttr): never {
    throw new OnnxImportError(`attribute ${name}: expected ${expected}, got ${JSON.stringify(got)}`, this.node.name, this.node.opType);
  }
  int(name: string, fallback: number): number {
    const v = this.node.attrs.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number') this.fail(name, 'an int', v);
    return v;
  }
  float(name: string, fallback: number): number {
    return this.int(name, fallback);
  }
  str(name: string, fallback: string): string {
    const v = this.node.attrs.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') this.fail(name, 'a string', v);
    return v;
  }
  ints(name: string): number[] | undefined {
    const v = this.node.attrs.get(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) this.fail(name, 'a list of ints', v);
    return [...(v as number[])];
  }
  tensor(name: string): OnnxTensor | undefined {
    const v = this.node.attrs.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || !('dims' in v)) this.fail(name, 'a tensor', v);
    return v as OnnxTensor;
  }
}
