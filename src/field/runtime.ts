/**
 * The WebAssembly runtime behind packed vectors: one shared linear memory, an
 * allocator over it, and the field kernels generated at start-up for BN254's
 * Fr and Fq (a scalar module always, a SIMD module where the engine has SIMD).
 *
 * Memory limit: wasm32 addresses stop at 4 GiB, about 119 million 36-byte
 * elements in one runtime. Keep in memory only the working set of a step (the
 * columns being transformed or committed); hold the rest as bytes
 * (`FieldVec.toBytes`) in ordinary ArrayBuffers and load them back when needed.
 * Allocation past the limit throws a `RangeError` naming the request.
 */
import { FQ_MODULUS, FR_MODULUS } from './bn254.js';
import { ModuleBuilder } from './wasm/emitter.js';
import { emitCodecKernels } from './wasm/codec-kernels.js';
import { emitFieldKernels } from './wasm/field-kernels.js';
import { montgomeryParams, toLimbs, type MontgomeryParams } from './wasm/montgomery.js';
import { emitSimdFieldKernels, simdSupported } from './wasm/simd-kernels.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 64;

/** A first-fit allocator over the shared memory, with coalescing frees. */
export class Arena {
  readonly memory: WebAssembly.Memory;
  private free: { start: number; size: number }[] = [];
  private readonly used = new Map<number, number>();
  private top: number;

  constructor(initialPages = 64, reserved = 4096) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES });
    this.top = reserved;
  }

  /**
   * Allocate `bytes` (rounded up to 64), zero-filled unless `zero` is false
   * (then the block holds whatever was there: the caller writes all of it).
   */
  alloc(bytes: number, zero = true): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`Arena.alloc: expected a byte count ≥ 0, got ${bytes}`);
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let ptr = -1;
    for (let i = 0; i < this.free.length; i++) {
      const blk = this.free[i]!;
      if (blk.size >= size) {
        ptr = blk.start;
        if (blk.size === size) this.free.splice(i, 1);
        else {
          blk.start += size;
          blk.size -= size;
        }
        break;
      }
    }
    if (ptr < 0) {
      const end = this.top + size;
      if (end > MAX_PAGES * PAGE) {
        throw new RangeError(
          `Arena.alloc: ${bytes} bytes would pass the 4 GiB wasm32 limit (in use: ${this.top} bytes); keep fewer vectors resident`,
        );
      }
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        // grow by at least half of what is there: few grows for memories of gigabytes
        const havePages = have / PAGE;
        const need = Math.ceil((end - have) / PAGE);
        this.memory.grow(Math.min(MAX_PAGES - havePages, Math.max(need, Math.ceil(havePages / 2))));
      }
      ptr = this.top;
      this.top = end;
    }
    if (zero) new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    this.used.set(ptr, size);
    return ptr;
  }

  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new RangeError(`Arena.release: ${ptr} is not an allocated block (double free?)`);
    this.used.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      // swallow a free block that now touches the top
      const last = this.free[this.free.length - 1];
      if (last && last.start + last.size === this.top) {
        this.top = last.start;
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && this.free[i]!.start < ptr) i++;
    this.free.splice(i, 0, { start: ptr, size });
    const next = this.free[i + 1];
    if (next && ptr + size === next.start) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === ptr) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let s = 0;
    for (const v of this.used.values()) s += v;
    return s;
  }
}

/** Exports of a field kernel module, by name (`fr_mul`, …). */
export type KernelExports = Record<string, (...args: number[]) => number>;

export interface FieldKernelSet {
  readonly name: 'fr' | 'fq';
  readonly params: MontgomeryParams;
  /** Montgomery form of 1 (R mod p), as limbs. */
  readonly oneLimbs: readonly number[];
}

export interface RuntimeOptions {
  /** Use the SIMD module when the engine supports it (default true). */
  readonly simd?: boolean;
  readonly initialPages?: number;
}

export class FieldRuntime {
  readonly arena: Arena;
  /** Scalar kernels: always present. */
  readonly scalar: KernelExports;
  /** SIMD kernels, or null where unsupported or disabled. */
  readonly simd: KernelExports | null;
  readonly fields: { fr: FieldKernelSet; fq: FieldKernelSet };

  constructor(options: RuntimeOptions = {}) {
    this.arena = new Arena(options.initialPages ?? 64);
    const fr = fieldKernelSet('fr', FR_MODULUS);
    const fq = fieldKernelSet('fq', FQ_MODULUS);
    this.fields = { fr, fq };
    const mb = new ModuleBuilder();
    for (const k of [fr, fq]) {
      emitFieldKernels(mb, k.name, k.params, k.oneLimbs);
      emitCodecKernels(mb, k.name, k.params);
    }
    this.scalar = this.instantiate(mb);
    if ((options.simd ?? true) && simdSupported()) {
      const sb = new ModuleBuilder();
      for (const k of [fr, fq]) emitSimdFieldKernels(sb, k.name, k.params);
      this.simd = this.instantiate(sb);
    } else this.simd = null;
  }

  /** Compile a module that imports this runtime's memory and return its exports. */
  instantiate(mb: ModuleBuilder): KernelExports {
    const module = new WebAssembly.Module(mb.encode());
    const instance = new WebAssembly.Instance(module, { env: { memory: this.arena.memory } });
    return instance.exports as unknown as KernelExports;
  }

  get buffer(): ArrayBuffer {
    return this.arena.memory.buffer;
  }
}

function fieldKernelSet(name: 'fr' | 'fq', p: bigint): FieldKernelSet {
  const params = montgomeryParams(p);
  return { name, params, oneLimbs: toLimbs(params.R) };
}

let defaultRuntime: FieldRuntime | undefined;

/** The process-wide runtime, created on first use (SIMD where supported). */
export function getRuntime(): FieldRuntime {
  defaultRuntime ??= new FieldRuntime();
  return defaultRuntime;
}
