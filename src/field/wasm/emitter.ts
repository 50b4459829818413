/**
 * A small WebAssembly binary emitter: enough of the module format (types,
 * imports, functions, exports, code) and of the instruction set (i32/i64
 * integer ops, memory, control flow, the SIMD ops our kernels use) to write
 * the field, NTT and curve kernels from TypeScript generators at start-up.
 * No toolchain, no committed binaries: the bytes are produced here.
 *
 * Reference: WebAssembly Core Specification 2.0, chapter 5 (binary format).
 */

export type ValType = 'i32' | 'i64' | 'v128';
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a bigint (used for i32/i64 constants). */
export function sleb(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function encodeName(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** One local variable (or parameter) of a function, addressed by index. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * Builds one function body. Instruction methods append bytes and return
 * `this`, so generators read like the stack code they produce.
 */
/** A fixed-length tuple: `Tuple<Local, 3>` is `[Local, Local, Local]`. */
export type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly params: Local[];
  private readonly locals: Local[] = [];

  constructor(
    readonly name: string,
    paramTypes: ValType[],
    readonly results: ValType[],
    readonly exported: boolean,
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  param(i: number): Local {
    const p = this.params[i];
    if (!p) throw new RangeError(`${this.name}: no parameter ${i}`);
    return p;
  }
  get paramTypes(): ValType[] {
    return this.params.map((p) => p.type);
  }
  local(type: ValType): Local {
    const l = { index: this.params.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }
  /** `count` new locals of one type, typed as a tuple so destructuring needs no casts. */
  localsOf<N extends number>(count: N, type: ValType): Tuple<Local, N> {
    return Array.from({ length: count }, () => this.local(type)) as Tuple<Local, N>;
  }
  /** Parameters 0 … count − 1 as a tuple. */
  paramsOf<N extends number>(count: N): Tuple<Local, N> {
    return Array.from({ length: count }, (_, i) => this.param(i)) as Tuple<Local, N>;
  }
  /** Local declarations, run-length grouped by type as the format wants. */
  encodeLocals(): number[] {
    const groups: number[][] = [];
    let i = 0;
    while (i < this.locals.length) {
      const type = this.locals[i]!.type;
      let j = i;
      while (j < this.locals.length && this.locals[j]!.type === type) j++;
      groups.push([...uleb(j - i), VALTYPE[type]]);
      i = j;
    }
    return vec(groups);
  }

  emit(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  // ---- variables and constants
  get(l: Local): this { return this.emit(0x20, ...uleb(l.index)); }
  set(l: Local): this { return this.emit(0x21, ...uleb(l.index)); }
  tee(l: Local): this { return this.emit(0x22, ...uleb(l.index)); }
  i32c(v: number): this { return this.emit(0x41, ...sleb(BigInt(v | 0))); }
  i64c(v: bigint): this { return this.emit(0x42, ...sleb(BigInt.asIntN(64, v))); }

  // ---- memory (align is log2 of the natural alignment; offsets are immediate)
  i32load(offset = 0): this { return this.emit(0x28, 2, ...uleb(offset)); }
  i64load(offset = 0): this { return this.emit(0x29, 3, ...uleb(offset)); }
  i64load32u(offset = 0): this { return this.emit(0x35, 2, ...uleb(offset)); }
  i32store(offset = 0): this { return this.emit(0x36, 2, ...uleb(offset)); }
  i64store(offset = 0): this { return this.emit(0x37, 3, ...uleb(offset)); }
  i64store32(offset = 0): this { return this.emit(0x3e, 2, ...uleb(offset)); }

  // ---- i32
  i32eqz(): this { return this.emit(0x45); }
  i32eq(): this { return this.emit(0x46); }
  i32ne(): this { return this.emit(0x47); }
  i32ltu(): this { return this.emit(0x49); }
  i32gtu(): this { return this.emit(0x4b); }
  i32geu(): this { return this.emit(0x4f); }
  i32add(): this { return this.emit(0x6a); }
  i32sub(): this { return this.emit(0x6b); }
  i32mul(): this { return this.emit(0x6c); }
  i32and(): this { return this.emit(0x71); }
  i32or(): this { return this.emit(0x72); }
  i32xor(): this { return this.emit(0x73); }
  i32shl(): this { return this.emit(0x74); }
  i32shrU(): this { return this.emit(0x76); }

  // ---- i64
  i64eqz(): this { return this.emit(0x50); }
  i64eq(): this { return this.emit(0x51); }
  i64ltU(): this { return this.emit(0x54); }
  i64gtU(): this { return this.emit(0x56); }
  i64geU(): this { return this.emit(0x5a); }
  i64add(): this { return this.emit(0x7c); }
  i64sub(): this { return this.emit(0x7d); }
  i64mul(): this { return this.emit(0x7e); }
  i64and(): this { return this.emit(0x83); }
  i64or(): this { return this.emit(0x84); }
  i64xor(): this { return this.emit(0x85); }
  i64shl(): this { return this.emit(0x86); }
  i64shrS(): this { return this.emit(0x87); }
  i64shrU(): this { return this.emit(0x88); }
  i32wrapI64(): this { return this.emit(0xa7); }
  i64extendI32U(): this { return this.emit(0xad); }
  select(): this { return this.emit(0x1b); }
  drop(): this { return this.emit(0x1a); }

  // ---- control (blocks carry no result: block type 0x40)
  block(): this { return this.emit(0x02, 0x40); }
  loop(): this { return this.emit(0x03, 0x40); }
  if_(): this { return this.emit(0x04, 0x40); }
  else_(): this { return this.emit(0x05); }
  end(): this { return this.emit(0x0b); }
  br(depth: number): this { return this.emit(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.emit(0x0d, ...uleb(depth)); }
  return_(): this { return this.emit(0x0f); }
  call(fnIndex: number): this { return this.emit(0x10, ...uleb(fnIndex)); }

  // ---- SIMD (prefix 0xfd, opcode as u32 LEB)
  private simd(op: number, ...imm: number[]): this { return this.emit(0xfd, ...uleb(op), ...imm); }
  v128load(offset = 0): this { return this.simd(0x00, 4, ...uleb(offset)); }
  v128store(offset = 0): this { return this.simd(0x0b, 4, ...uleb(offset)); }
  /** Load 64 bits, zero-extending each u32 lane to u64 (i64x2.load32x2_u). */
  v128load32x2u(offset = 0): this { return this.simd(0x06, 3, ...uleb(offset)); }
  v128load32zero(offset = 0): this { return this.simd(0x5c, 2, ...uleb(offset)); }
  v128load32lane(lane: number, offset = 0): this { return this.simd(0x56, 2, ...uleb(offset), lane); }
  v128store32lane(lane: number, offset = 0): this { return this.simd(0x5a, 2, ...uleb(offset), lane); }
  v128const(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new RangeError('v128const: expected 16 bytes');
    return this.simd(0x0c, ...bytes);
  }
  /** A v128 constant with both i64 lanes equal to v. */
  i64x2const(v: bigint): this {
    const lane: number[] = [];
    for (let i = 0; i < 8; i++) lane.push(Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn));
    return this.v128const([...lane, ...lane]);
  }
  /** A v128 constant with all four i32 lanes equal to v. */
  i32x4const(v: number): this {
    const lane = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    return this.v128const([...lane, ...lane, ...lane, ...lane]);
  }
  i32x4mul(): this { return this.simd(0xb5); }
  i64x2splat(): this { return this.simd(0x12); }
  i32x4splat(): this { return this.simd(0x11); }
  i64x2extractLane(lane: number): this { return this.simd(0x1d, lane); }
  i64x2replaceLane(lane: number): this { return this.simd(0x1e, lane); }
  i32x4extractLane(lane: number): this { return this.simd(0x1b, lane); }
  i32x4replaceLane(lane: number): this { return this.simd(0x1c, lane); }
  v128and(): this { return this.simd(0x4e); }
  v128or(): this { return this.simd(0x50); }
  i64x2shl(): this { return this.simd(0xcb); }
  i64x2shrU(): this { return this.simd(0xcd); }
  i64x2add(): this { return this.simd(0xce); }
  i64x2sub(): this { return this.simd(0xd1); }
  i64x2mul(): this { return this.simd(0xd5); }
  i64x2extmulLowI32x4U(): this { return this.simd(0xde); }
  i64x2extmulHighI32x4U(): this { return this.simd(0xdf); }
  i8x16shuffle(lanes: number[]): this { return this.simd(0x0d, ...lanes); }
}

/**
 * A module with one imported memory (`env.memory`) and a list of functions.
 * Functions refer to each other by index through `indexOf(name)`.
 */
export class ModuleBuilder {
  private readonly functions: FunctionBuilder[] = [];

  constructor(private readonly memoryMinPages = 1) {}

  fn(name: string, params: ValType[], results: ValType[] = [], exported = true): FunctionBuilder {
    if (this.functions.some((f) => f.name === name)) throw new Error(`ModuleBuilder: duplicate function ${name}`);
    const f = new FunctionBuilder(name, params, results, exported);
    this.functions.push(f);
    return f;
  }

  has(name: string): boolean {
    return this.functions.some((f) => f.name === name);
  }

  indexOf(name: string): number {
    const i = this.functions.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`ModuleBuilder: unknown function ${name}`);
    return i; // no imported functions, so function indices start at 0
  }

  encode(): Uint8Array<ArrayBuffer> {
    const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
    const types = this.functions.map((f) => [
      0x60,
      ...vec(f.paramTypes.map((t) => [VALTYPE[t]])),
      ...vec(f.results.map((t) => [VALTYPE[t]])),
    ]);
    const importMemory = [...encodeName('env'), ...encodeName('memory'), 0x02, 0x00, ...uleb(this.memoryMinPages)];
    const funcs = this.functions.map((_, i) => uleb(i));
    const exports = this.functions
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.exported)
      .map(({ f, i }) => [...encodeName(f.name), 0x00, ...uleb(i)]);
    const bodies = this.functions.map((f) => {
      const body = [...f.encodeLocals(), ...f.code, 0x0b];
      return [...uleb(body.length), ...body];
    });
    const bytes = [
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vec(types)),
      ...section(2, vec([importMemory])),
      ...section(3, vec(funcs)),
      ...section(7, vec(exports)),
      ...section(10, vec(bodies)),
    ];
    return Uint8Array.from(bytes);
  }
}
