/**
 * Suite `field`: per-element time of element-wise kernels over 2^16-element
 * vectors. Impls: zktensor (packed wasm vectors), bigint (`(a*b) % p` over
 * arrays), noble (@noble/curves' bn254 Fr/Fp field objects), wasmcurves
 * (ffjavascript's wasm: its exported `frm_mul`/`f1m_mul`/`frm_add` called per
 * element on its own memory, `frm_batchInverse` for the batch inversion).
 */
import { bn254 } from '@noble/curves/bn254.js';
import { buildBn128 } from 'ffjavascript';
import { Fq, Fr, packedFq, packedFr, type PackedField, type PrimeField } from '../../src/field/index.js';
import { interleave, seeded, type BenchRow, type Impl, type Suite } from '../lib.js';

type WasmFns = Record<string, (...args: number[]) => void>;

interface Curves {
  exports: WasmFns;
  u8: () => Uint8Array;
  alloc: (n: number) => number;
}

function randomVec(S: PrimeField, n: number, seed: number): bigint[] {
  const rng = seeded(seed);
  return Array.from({ length: n }, () => S.random(rng) || 1n);
}

/** Copy canonical values into wasmcurves memory (Montgomery conversion is irrelevant for timing a multiply). */
function curvesVec(c: Curves, values: bigint[]): number {
  const p = c.alloc(values.length * 32);
  const u8 = c.u8();
  values.forEach((v, i) => {
    let x = v;
    for (let b = 0; b < 32; b++, x >>= 8n) u8[p + 32 * i + b] = Number(x & 0xffn);
  });
  return p;
}

function mulCase(
  name: string,
  S: PrimeField,
  F: PackedField,
  nobleField: { mul: (a: bigint, b: bigint) => bigint; add: (a: bigint, b: bigint) => bigint; inv: (a: bigint) => bigint },
  curves: Curves,
  curvesPrefix: 'frm' | 'f1m',
  op: 'mul' | 'add' | 'inv',
  n: number,
): Impl[] {
  const xs = randomVec(S, n, 1);
  const ys = randomVec(S, n, 2);
  const a = F.fromBigints(xs);
  const b = F.fromBigints(ys);
  const o = F.alloc(n);
  const out = new Array<bigint>(n);
  const pa = curvesVec(curves, xs);
  const pb = curvesVec(curves, ys);
  const po = curves.alloc(n * 32);
  const ex = curves.exports;
  const p = S.p;
  const f = ex[`${curvesPrefix}_${op === 'inv' ? 'batchInverse' : op}`]!;
  const ours: Impl = {
    impl: 'zktensor',
    opsPerCall: n,
    run: op === 'mul' ? () => F.mul(o, a, b) : op === 'add' ? () => F.add(o, a, b) : () => F.batchInv(o, a),
  };
  const big: Impl = {
    impl: 'bigint',
    opsPerCall: n,
    run:
      op === 'mul'
        ? () => {
            for (let i = 0; i < n; i++) out[i] = (xs[i]! * ys[i]!) % p;
          }
        : op === 'add'
          ? () => {
              for (let i = 0; i < n; i++) {
                const s = xs[i]! + ys[i]!;
                out[i] = s >= p ? s - p : s;
              }
            }
          : () => {
              const r = S.batchInv(xs);
              out[0] = r[0]!;
            },
  };
  const noble: Impl = {
    impl: 'noble',
    opsPerCall: n,
    run:
      op === 'inv'
        ? () => {
            // noble's batch inversion over the array (Montgomery's trick in bigint)
            const r = (nobleField as unknown as { invertBatch: (v: bigint[]) => bigint[] }).invertBatch(xs);
            out[0] = r[0]!;
          }
        : () => {
            const g = op === 'mul' ? nobleField.mul : nobleField.add;
            for (let i = 0; i < n; i++) out[i] = g.call(nobleField, xs[i]!, ys[i]!);
          },
  };
  const wasmcurves: Impl = {
    impl: 'wasmcurves',
    opsPerCall: n,
    run:
      op === 'inv'
        ? () => f(pa, 32, n, po, 32)
        : () => {
            for (let i = 0, off = 0; i < n; i++, off += 32) f(pa + off, pb + off, po + off);
          },
  };
  void name;
  return [ours, big, noble, wasmcurves];
}

export const suite: Suite = async ({ quick }) => {
  const n = 1 << 16;
  const samples = quick ? 5 : 15;
  const bn = await buildBn128(true);
  const tm = bn.tm as { instance: { exports: WasmFns }; alloc: (n: number) => number; u8: Uint8Array; u32: Uint32Array; memory: WebAssembly.Memory };
  const alloc = (k: number) => {
    const ptr = tm.alloc(k);
    // wasmcurves allocates its own temporaries past the free pointer (batchInverse): keep 8 MiB of slack
    const need = ptr + k + (8 << 20) - tm.memory.buffer.byteLength;
    if (need > 0) {
      tm.memory.grow(Math.ceil(need / 65536));
      // its allocator reads the free pointer through views that growing detaches
      tm.u32 = new Uint32Array(tm.memory.buffer);
      tm.u8 = new Uint8Array(tm.memory.buffer);
    }
    return ptr;
  };
  const curves: Curves = { exports: tm.instance.exports, alloc, u8: () => new Uint8Array(tm.memory.buffer) };
  const rows: BenchRow[] = [];
  const Frn = bn254.fields.Fr;
  const Fpn = bn254.fields.Fp;
  rows.push(...(await interleave('fr.mul', n, mulCase('fr.mul', Fr, packedFr(), Frn, curves, 'frm', 'mul', n), samples)));
  rows.push(...(await interleave('fq.mul', n, mulCase('fq.mul', Fq, packedFq(), Fpn, curves, 'f1m', 'mul', n), samples)));
  rows.push(...(await interleave('fr.add', n, mulCase('fr.add', Fr, packedFr(), Frn, curves, 'frm', 'add', n), samples)));
  rows.push(...(await interleave('fr.inv.batch', n, mulCase('fr.inv.batch', Fr, packedFr(), Frn, curves, 'frm', 'inv', n), quick ? 3 : 7)));
  await bn.terminate();
  return rows;
};
