/**
 * WebAssembly kernels of the NTT and of the sequential polynomial loops
 * (Horner, synthetic division), emitted at start-up into a module that shares
 * the field runtime's memory. Elements are the packed Fr elements of
 * src/field (9 limbs × 29 bits, Montgomery form, 36 bytes).
 *
 * Butterflies are radix-2 Cooley–Tukey (decimation in time) on bit-reversed
 * input: (a, b) ↦ (a + w·b, a − w·b), with w from a twiddle table laid out by
 * stage: tw[m + j] = ω_{2m}^j for the stage of half-size m (j < m).
 *
 * Lazy reduction — the bound argument. Write B_s·p for a bound on every
 * element after s stages; inputs are in [0, 2p), so B_0 = 2.
 *   - The Montgomery product of montgomery.ts returns (x·y + M·p)/R with
 *     M < R, so it is below x·y/R + p; it needs only that both operands have
 *     limbs below 2^29 (no 64-bit sum overflows, see montgomery.ts). With the
 *     twiddle canonical (w < p) and any data operand b < R = 2^261 (which any
 *     9 × 29-bit value is), w·b/R < p, so t = w·b lies in [0, 2p).
 *   - a + t < (B_s + 2)·p and a − t + 2p lies in [0, (B_s + 2)·p).
 * Hence B_s = 2 + 2s and the butterflies need no conditional subtraction at
 * all: after the L ≤ 28 stages of a 2^L transform every value is below
 * 58p < 2^261 (R/p ≈ 169), so limbs stay 29-bit with the top limb holding the
 * rest. Only carries are propagated. A final pass (`reduce_lazy`) brings the
 * values back to [0, 2p): with q = ⌊x_8 / (p_8 + 1)⌋ from the top limbs,
 * q ≤ ⌊x/p⌋ ≤ q + 1 (x_8 < 2^29 and p_8 ≈ 2^21.6 make the error term below
 * 2^-14), so x − q·p ∈ [0, 2p). The inverse transform instead ends in a
 * Montgomery scaling by n⁻¹, which also returns [0, 2p) for inputs below R.
 *
 * Butterfly j = 0 of every block has twiddle 1: the stages skip its product
 * but reduce b to [0, 2p) instead (what the product did for the bound), with
 * the same quotient estimate and nine small products.
 *
 * SIMD (two butterflies per v128: limb l of both elements in i32 lanes 0 and
 * 1 for `i64x2.extmul_low_i32x4_u`, 64-bit sums in i64 lanes) computes the
 * same integers as the scalar code. `stage_pairs` pairs butterfly j of two
 * neighbouring blocks (one splatted twiddle, j = 0 skipped as above) and
 * serves every stage with at least two blocks; `stage2` pairs j and j+1 of
 * one block for the last stage. A fused radix-2² pass (two stages per trip
 * through memory) measured slower than `stage_pairs` at 2^18 and 2^20: the
 * transform is bound by the products, not by memory.
 *
 * Scalar exports (prefix `ntt_`): bitrev_blocked(x,k,s,tab), reverse_tail(x,n),
 * stage1(x,n), stage(x,n,m,tw), reduce_lazy(x,n), horner(acc,c,n,xp),
 * synth_div(acc,c,n,ap,q). SIMD exports: stage2(x,n,m,tw) (even m),
 * stage_pairs(x,n,m,tw) (m ≤ n/4).
 */
import { ModuleBuilder, montgomery, type FunctionBuilder, type Local } from '../field/index.js';
import { uleb } from '../field/wasm/emitter.js';
import { emitSimdMontRounds } from '../field/wasm/simd-kernels.js';

const { LIMBS, LIMB_BITS, LIMB_MASK, ELEMENT_BYTES } = montgomery;
type Params = montgomery.MontgomeryParams;
const MASK = BigInt(LIMB_MASK);
const SHIFT = BigInt(LIMB_BITS);

/** i64x2.shr_s (arithmetic shift; not among the emitter's helpers). */
const i64x2ShrS = (f: FunctionBuilder) => f.emit(0xfd, ...uleb(0xcc));
/** i32.div_u. */
const i32DivU = (f: FunctionBuilder) => f.emit(0x6e);

const at = (ptr: Local, offset = 0): montgomery.Operand => ({ ptr, offset });

// ---------------------------------------------------------------- scalar product into locals

type ScalarMul = ReturnType<typeof allocScalarMul>;

/** Locals of an inlined product; t[9..17] hold the normalised result afterwards. */
function allocScalarMul(f: FunctionBuilder) {
  return {
    t: Array.from({ length: 2 * LIMBS }, () => f.local('i64')),
    b: Array.from({ length: LIMBS }, () => f.local('i64')),
    ai: f.local('i64'),
    m: f.local('i64'),
  };
}

/**
 * L.t[9..17] ← w·b·R⁻¹ as nine normalised 29-bit limbs (the top one holding the
 * rest), by the operand-scanning schedule of montgomery.ts: round i adds
 * w_i·b and m_i·p and carries only the lowest sum.
 */
function emitScalarMulToLocals(f: FunctionBuilder, mp: Params, L: ScalarMul, w: montgomery.Operand, b: montgomery.Operand): Local[] {
  for (let j = 0; j < LIMBS; j++) f.get(b.ptr).i64load32u(b.offset + 4 * j).set(L.b[j]!);
  const touched = new Array<boolean>(2 * LIMBS).fill(false);
  const addTo = (k: number, term: () => void) => {
    if (touched[k]) f.get(L.t[k]!);
    term();
    if (touched[k]) f.i64add();
    f.set(L.t[k]!);
    touched[k] = true;
  };
  for (let i = 0; i < LIMBS; i++) {
    f.get(w.ptr).i64load32u(w.offset + 4 * i).set(L.ai);
    for (let j = 0; j < LIMBS; j++) addTo(i + j, () => f.get(L.ai).get(L.b[j]!).i64mul());
    const ti = L.t[i]!;
    if (mp.shiftReduce) {
      // p ≡ 1 + 2^28 (mod 2^29): m = (t·2^28 − t) mod 2^29 and m·p_0 = m + m·2^28
      f.get(ti).i64c(28n).i64shl().get(ti).i64sub().i64c(MASK).i64and().set(L.m);
      f.get(ti).get(L.m).i64add().get(L.m).i64c(28n).i64shl().i64add();
    } else {
      f.get(ti).i32wrapI64().i32c(mp.mu).i32mul().i32c(LIMB_MASK).i32and().i64extendI32U().set(L.m);
      f.get(ti).get(L.m).i64c(BigInt(mp.pLimbs[0]!)).i64mul().i64add();
    }
    f.i64c(SHIFT).i64shrU().get(L.t[i + 1]!).i64add().set(L.t[i + 1]!);
    for (let j = 1; j < LIMBS; j++) {
      if (mp.pLimbs[j] === 0) continue;
      f.get(L.t[i + j]!).get(L.m).i64c(BigInt(mp.pLimbs[j]!)).i64mul().i64add().set(L.t[i + j]!);
    }
  }
  const out = L.t.slice(LIMBS);
  for (let k = 0; k < LIMBS - 1; k++) {
    // position 17 is never written by a product: set it from the carry (no stale value from a previous iteration)
    const top = k + 1 === LIMBS - 1;
    if (!top) f.get(out[k + 1]!);
    f.get(out[k]!).i64c(SHIFT).i64shrU();
    if (!top) f.i64add();
    f.set(out[k + 1]!);
    f.get(out[k]!).i64c(MASK).i64and().set(out[k]!);
  }
  return out;
}

/**
 * The lazy butterfly's additive half, limb by limb with carries and no
 * conditional subtraction: a ← a + t, b ← a − t + 2p (bounds in the header).
 */
function emitScalarButterflyTail(f: FunctionBuilder, mp: Params, T: Local[], pa: Local, pb: Local, tmp: Local[], offset = 0): void {
  const [av, s, cs, cd] = tmp as [Local, Local, Local, Local];
  for (let l = 0; l < LIMBS; l++) {
    const last = l === LIMBS - 1;
    const o = offset + 4 * l;
    f.get(pa).i64load32u(o).set(av);
    f.get(av).get(T[l]!).i64add();
    if (l > 0) f.get(cs).i64add();
    f.set(s);
    f.get(pa).get(s);
    if (!last) f.i64c(MASK).i64and();
    f.i64store32(o);
    if (!last) f.get(s).i64c(SHIFT).i64shrU().set(cs);
    f.get(av).i64c(BigInt(mp.twoPLimbs[l]!)).i64add().get(T[l]!).i64sub();
    if (l > 0) f.get(cd).i64add();
    f.set(s);
    f.get(pb).get(s);
    if (!last) f.i64c(MASK).i64and();
    f.i64store32(o);
    if (!last) f.get(s).i64c(SHIFT).i64shrS().set(cd);
  }
}

/**
 * T ← the element at p brought from [0, 2^261) to [0, 2p) as normalised limbs:
 * x − q·p with q = ⌊x_8 / (p_8 + 1)⌋ (see the header), borrows propagated.
 */
function emitReduceToLocals(f: FunctionBuilder, mp: Params, p: Local, T: Local[], tmp: Local[]): void {
  const [q, c] = tmp as [Local, Local];
  f.get(p).i32load(4 * (LIMBS - 1)).i32c(mp.pLimbs[LIMBS - 1]! + 1);
  i32DivU(f);
  f.i64extendI32U().set(q);
  for (let l = 0; l < LIMBS; l++) {
    f.get(p).i64load32u(4 * l).get(q).i64c(BigInt(mp.pLimbs[l]!)).i64mul().i64sub();
    if (l > 0) f.get(c).i64add();
    f.set(T[l]!);
    if (l < LIMBS - 1) {
      f.get(T[l]!).i64c(SHIFT).i64shrS().set(c);
      f.get(T[l]!).i64c(MASK).i64and().set(T[l]!);
    }
  }
}

/**
 * Loop over blocks of 2m elements, then over butterflies j (step `step`) in
 * each block; with `first`, butterflies j < step (twiddle 1 at j = 0) run that instead.
 */
/** The stage kernels' parameters (x, n, m, tw). */
const stageParams = (f: FunctionBuilder) => f.paramsOf(4);

type Body = (pa: Local, pb: Local, pw: Local) => void;

function emitStageLoops(f: FunctionBuilder, [x, n, m, tw]: readonly [Local, Local, Local, Local], step: number, body: Body, first?: Body): void {
  const [end, half, blk, pa, pb, pw, pw0, j] = f.localsOf(8, 'i32');
  f.get(m).i32c(ELEMENT_BYTES).i32mul().set(half);
  f.get(tw).get(half).i32add().set(pw0);
  f.get(n).i32c(ELEMENT_BYTES).i32mul().get(x).i32add().set(end);
  f.get(x).set(blk);
  f.block().loop();
  f.get(blk).get(end).i32geu().brIf(1);
  f.get(blk).set(pa).get(blk).get(half).i32add().set(pb).get(pw0).set(pw).get(m).set(j);
  if (first) {
    // `first` covers butterflies 0 … step − 1
    first(pa, pb, pw);
    for (const p of [pa, pb, pw]) f.get(p).i32c(step * ELEMENT_BYTES).i32add().set(p);
    f.get(j).i32c(step).i32sub().set(j);
  }
  f.block().loop();
  f.get(j).i32eqz().brIf(1);
  body(pa, pb, pw);
  for (const p of [pa, pb, pw]) f.get(p).i32c(step * ELEMENT_BYTES).i32add().set(p);
  f.get(j).i32c(step).i32sub().set(j);
  f.br(0).end().end();
  f.get(blk).get(half).i32c(1).i32shl().i32add().set(blk);
  f.br(0).end().end();
}

/** Swap the elements at two pointers (four i64 and one i32 each). */
function emitSwap(f: FunctionBuilder, p: Local, q: Local, tmp64: Local[], tmp32: Local[]): void {
  for (let w = 0; w < 4; w++) f.get(p).i64load(8 * w).set(tmp64[w]!);
  f.get(p).i32load(32).set(tmp32[0]!);
  for (let w = 0; w < 4; w++) f.get(p).get(q).i64load(8 * w).i64store(8 * w);
  f.get(p).get(q).i32load(32).i32store(32);
  for (let w = 0; w < 4; w++) f.get(q).get(tmp64[w]!).i64store(8 * w);
  f.get(q).get(tmp32[0]!).i32store(32);
}

export function emitScalarNttKernels(mb: ModuleBuilder, mp: Params): void {
  {
    // Cache-blocked bit reversal for 2s ≤ k. Write i = (a, b, c) with a, c of s bits
    // and b of k − 2s bits: rev(i) = (rev c, rev b, rev a). For each middle b with
    // rev b ≥ b, swap the 2^s × 2^s group against its partner group: both sides
    // touch 2^s runs of 2^s consecutive elements, so every cache line fetched is
    // used whole. tab holds rev_s (2^s i32) then rev_{k−2s} (2^(k−2s) i32).
    const f = mb.fn('ntt_bitrev_blocked', ['i32', 'i32', 'i32', 'i32']);
    const [x, k, s, tab] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const [hiShift, side, mids, midTab, b, rb, a, ra, c, i, j, pi, pj, brb] = f.localsOf(14, 'i32');
    const t64 = f.localsOf(4, 'i64');
    const t32 = [f.local('i32')];
    f.get(k).get(s).i32sub().set(hiShift);
    f.i32c(1).get(s).i32shl().set(side);
    f.i32c(1).get(k).get(s).i32c(1).i32shl().i32sub().i32shl().set(mids);
    f.get(tab).get(side).i32c(2).i32shl().i32add().set(midTab);
    f.i32c(0).set(b);
    f.block().loop();
    f.get(b).get(mids).i32geu().brIf(1);
    f.get(midTab).get(b).i32c(2).i32shl().i32add().i32load().set(rb);
    f.get(rb).get(b).i32geu().if_();
    f.get(b).get(rb).i32ltu().set(brb);
    f.i32c(0).set(a);
    f.block().loop();
    f.get(a).get(side).i32geu().brIf(1);
    f.get(tab).get(a).i32c(2).i32shl().i32add().i32load().set(ra);
    f.i32c(0).set(c);
    f.block().loop();
    f.get(c).get(side).i32geu().brIf(1);
    f.get(a).get(hiShift).i32shl().get(b).get(s).i32shl().i32or().get(c).i32or().set(i);
    f.get(tab).get(c).i32c(2).i32shl().i32add().i32load().get(hiShift).i32shl();
    f.get(rb).get(s).i32shl().i32or().get(ra).i32or().set(j);
    f.get(brb).get(i).get(j).i32ltu().i32or().if_();
    f.get(i).i32c(ELEMENT_BYTES).i32mul().get(x).i32add().set(pi);
    f.get(j).i32c(ELEMENT_BYTES).i32mul().get(x).i32add().set(pj);
    emitSwap(f, pi, pj, t64, t32);
    f.end();
    f.get(c).i32c(1).i32add().set(c);
    f.br(0).end().end();
    f.get(a).i32c(1).i32add().set(a);
    f.br(0).end().end();
    f.end();
    f.get(b).i32c(1).i32add().set(b);
    f.br(0).end().end();
  }
  {
    // x_i ↔ x_{n−i} for 0 < i < n/2: turns DFT_ω into DFT_ω⁻¹ (up to 1/n)
    const f = mb.fn('ntt_reverse_tail', ['i32', 'i32']);
    const [x, n] = [f.param(0), f.param(1)];
    const [pi, pj] = [f.local('i32'), f.local('i32')];
    const t64 = f.localsOf(4, 'i64');
    const t32 = [f.local('i32')];
    f.get(x).i32c(ELEMENT_BYTES).i32add().set(pi);
    f.get(n).i32c(1).i32sub().i32c(ELEMENT_BYTES).i32mul().get(x).i32add().set(pj);
    f.block().loop();
    f.get(pi).get(pj).i32geu().brIf(1);
    emitSwap(f, pi, pj, t64, t32);
    f.get(pi).i32c(ELEMENT_BYTES).i32add().set(pi);
    f.get(pj).i32c(ELEMENT_BYTES).i32sub().set(pj);
    f.br(0).end().end();
  }
  {
    // first stage: twiddle 1, so the butterfly is (a + b, a − b + 2p) with no product
    const f = mb.fn('ntt_stage1', ['i32', 'i32']);
    const [x, n] = [f.param(0), f.param(1)];
    const pa = f.local('i32');
    const pb = f.local('i32');
    const cnt = f.local('i32');
    const T = Array.from({ length: LIMBS }, () => f.local('i64'));
    const tmp = f.localsOf(4, 'i64');
    f.get(x).set(pa).get(x).i32c(ELEMENT_BYTES).i32add().set(pb).get(n).i32c(1).i32shrU().set(cnt);
    f.block().loop();
    f.get(cnt).i32eqz().brIf(1);
    for (let l = 0; l < LIMBS; l++) f.get(pb).i64load32u(4 * l).set(T[l]!);
    emitScalarButterflyTail(f, mp, T, pa, pb, tmp);
    f.get(pa).i32c(2 * ELEMENT_BYTES).i32add().set(pa);
    f.get(pb).i32c(2 * ELEMENT_BYTES).i32add().set(pb);
    f.get(cnt).i32c(1).i32sub().set(cnt);
    f.br(0).end().end();
  }
  {
    const f = mb.fn('ntt_stage', ['i32', 'i32', 'i32', 'i32']);
    const L = allocScalarMul(f);
    const tmp = f.localsOf(4, 'i64');
    const Tz = Array.from({ length: LIMBS }, () => f.local('i64'));
    const butterfly: Body = (pa, pb, pw) => emitScalarButterflyTail(f, mp, emitScalarMulToLocals(f, mp, L, at(pw), at(pb)), pa, pb, tmp);
    const twiddleOne: Body = (pa, pb) => {
      // no product, but b is reduced to [0, 2p) as the product would have left it
      emitReduceToLocals(f, mp, pb, Tz, tmp);
      emitScalarButterflyTail(f, mp, Tz, pa, pb, tmp);
    };
    emitStageLoops(f, stageParams(f), 1, butterfly, twiddleOne);
  }
  {
    // [0, 2^261) → [0, 2p): subtract q·p with q = ⌊x_8 / (p_8 + 1)⌋ (see the header)
    const f = mb.fn('ntt_reduce_lazy', ['i32', 'i32']);
    const [x, n] = [f.param(0), f.param(1)];
    const T = Array.from({ length: LIMBS }, () => f.local('i64'));
    const tmp = [f.local('i64'), f.local('i64')];
    f.block().loop();
    f.get(n).i32eqz().brIf(1);
    emitReduceToLocals(f, mp, x, T, tmp);
    for (let l = 0; l < LIMBS; l++) f.get(x).get(T[l]!).i64store32(4 * l);
    f.get(x).i32c(ELEMENT_BYTES).i32add().set(x);
    f.get(n).i32c(1).i32sub().set(n);
    f.br(0).end().end();
  }
  for (const withQuotient of [false, true]) {
    // acc ← Σ c_i·x^i by Horner from the top; synth_div also writes the running
    // values as the quotient of p(X) by (X − x): q_{i−1} = c_i + x·q_i, remainder p(x)
    const name = withQuotient ? 'ntt_synth_div' : 'ntt_horner';
    const f = mb.fn(name, withQuotient ? ['i32', 'i32', 'i32', 'i32', 'i32'] : ['i32', 'i32', 'i32', 'i32']);
    const [acc, c, n, xp] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const q = withQuotient ? f.param(4) : null;
    const pc = f.local('i32');
    const pq = f.local('i32');
    const M = montgomery.allocMulLocals(f);
    const A = montgomery.allocAddLocals(f);
    for (let l = 0; l < LIMBS; l++) f.get(acc).i32c(0).i32store(4 * l);
    f.get(n).i32c(1).i32sub().i32c(ELEMENT_BYTES).i32mul().get(c).i32add().set(pc);
    if (q) f.get(n).i32c(2).i32sub().i32c(ELEMENT_BYTES).i32mul().get(q).i32add().set(pq);
    f.block().loop();
    f.get(n).i32eqz().brIf(1);
    montgomery.emitMontMul(f, mp, M, at(acc), at(acc), at(xp));
    montgomery.emitAdd(f, mp, A, at(acc), at(acc), at(pc));
    if (q) {
      f.get(n).i32c(1).i32gtu().if_();
      for (let l = 0; l < LIMBS; l++) f.get(pq).get(acc).i32load(4 * l).i32store(4 * l);
      f.end();
      f.get(pq).i32c(ELEMENT_BYTES).i32sub().set(pq);
    }
    f.get(pc).i32c(ELEMENT_BYTES).i32sub().set(pc);
    f.get(n).i32c(1).i32sub().set(n);
    f.br(0).end().end();
  }
}

// ---------------------------------------------------------------- SIMD: two butterflies per v128

type SimdLocals = ReturnType<typeof allocSimd>;

/** Where lane 1's element sits: a pointer local plus a constant byte offset. */
interface Lane {
  readonly ptr: Local;
  readonly offset: number;
}

function allocSimd(f: FunctionBuilder) {
  const t = Array.from({ length: 2 * LIMBS }, () => f.local('v128'));
  const B = Array.from({ length: LIMBS }, () => f.local('v128'));
  const [W, M, M32, mask, av, s, cs, cd] = f.localsOf(8, 'v128');
  f.i64x2const(MASK).set(mask);
  return { t, B, W, M, M32, mask, av, s, cs, cd };
}

/**
 * Two butterflies at once: lane 0 works on (a0, b0), lane 1 on the elements
 * at a1 and b1; `loadW(i)` leaves limb i of both twiddles in i32 lanes 0 and 1.
 * The product follows montgomery.ts's schedule; the additive half is the
 * scalar one in i64 lanes.
 */
function emitSimdButterfly(f: FunctionBuilder, mp: Params, S: SimdLocals, a0: Local, a1: Lane, b0: Local, b1: Lane, loadW: (i: number) => void): void {
  const { t, B, W, M, M32, mask, av, s, cs, cd } = S;
  // limb l of both elements into i32 lanes 0 and 1 (operands of extmul_low) …
  const loadPair = (p0: Local, p1: Lane, l: number) => f.get(p1.ptr).get(p0).v128load32zero(4 * l).v128load32lane(1, p1.offset + 4 * l);
  // … or into i64 lanes 0 and 1 (i32 lanes 0 and 2)
  const loadWide = (p0: Local, p1: Lane, l: number) => f.get(p1.ptr).get(p0).v128load32zero(4 * l).v128load32lane(2, p1.offset + 4 * l);
  const storeWide = (p0: Local, p1: Lane, v: Local, l: number) => {
    f.get(p0).get(v).v128store32lane(0, 4 * l);
    f.get(p1.ptr).get(v).v128store32lane(2, p1.offset + 4 * l);
  };
  for (let j = 0; j < LIMBS; j++) {
    loadPair(b0, b1, j);
    f.set(B[j]!);
  }
  emitSimdMontRounds(f, mp, { t, B, A: W, M, M32 }, loadW, () => f.get(mask));
  const T = t.slice(LIMBS);
  for (let k = 0; k < LIMBS - 1; k++) {
    const top = k + 1 === LIMBS - 1;
    if (!top) f.get(T[k + 1]!);
    f.get(T[k]!).i32c(LIMB_BITS).i64x2shrU();
    if (!top) f.i64x2add();
    f.set(T[k + 1]!);
    f.get(T[k]!).get(mask).v128and().set(T[k]!);
  }
  for (let l = 0; l < LIMBS; l++) {
    const last = l === LIMBS - 1;
    loadWide(a0, a1, l);
    f.set(av);
    f.get(av).get(T[l]!).i64x2add();
    if (l > 0) f.get(cs).i64x2add();
    f.set(s);
    if (!last) f.get(s).i32c(LIMB_BITS).i64x2shrU().set(cs).get(s).get(mask).v128and().set(s);
    storeWide(a0, a1, s, l);
    f.get(av).i64x2const(BigInt(mp.twoPLimbs[l]!)).i64x2add().get(T[l]!).i64x2sub();
    if (l > 0) f.get(cd).i64x2add();
    f.set(s);
    if (!last) {
      f.get(s).i32c(LIMB_BITS);
      i64x2ShrS(f);
      f.set(cd).get(s).get(mask).v128and().set(s);
    }
    storeWide(b0, b1, s, l);
  }
}

/** v128.load32_splat: one u32 into all four lanes. */
const load32Splat = (f: FunctionBuilder, offset: number) => f.emit(0xfd, 0x09, 2, ...uleb(offset));

export function emitSimdNttKernels(mb: ModuleBuilder, mp: Params): void {
  {
    // butterflies j and j+1 of one block share a vector (even m ≥ 2; used for the last stage)
    const f = mb.fn('ntt_stage2', ['i32', 'i32', 'i32', 'i32']);
    const S = allocSimd(f);
    const L = allocScalarMul(f);
    const Tz = Array.from({ length: LIMBS }, () => f.local('i64'));
    const tmp = f.localsOf(4, 'i64');
    const next = (p: Local): Lane => ({ ptr: p, offset: ELEMENT_BYTES });
    const pairW = (pw: Local) => (i: number) => f.get(pw).get(pw).v128load32zero(4 * i).v128load32lane(1, ELEMENT_BYTES + 4 * i);
    const butterflies: Body = (pa, pb, pw) => emitSimdButterfly(f, mp, S, pa, next(pa), pb, next(pb), pairW(pw));
    const firstTwo: Body = (pa, pb, pw) => {
      // j = 0 without its product and j = 1 in scalar, exactly as the scalar stage does them
      emitReduceToLocals(f, mp, pb, Tz, tmp);
      emitScalarButterflyTail(f, mp, Tz, pa, pb, tmp);
      const T = emitScalarMulToLocals(f, mp, L, at(pw, ELEMENT_BYTES), at(pb, ELEMENT_BYTES));
      emitScalarButterflyTail(f, mp, T, pa, pb, tmp, ELEMENT_BYTES);
    };
    emitStageLoops(f, stageParams(f), 2, butterflies, firstTwo);
  }
  {
    // Butterfly j of two neighbouring blocks share a vector and one (splatted)
    // twiddle, which lets j = 0 (twiddle 1) skip its product: n/(2m) fewer
    // products per stage, about one stage's worth over a whole transform. The
    // skipped product is what kept t below 2p, so b is reduced instead (one
    // quotient estimate, nine small products).
    // Needs an even number of blocks (m ≤ n/4).
    const f = mb.fn('ntt_stage_pairs', ['i32', 'i32', 'i32', 'i32']);
    const [x, n, m, tw] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const S = allocSimd(f);
    const Tz = Array.from({ length: LIMBS }, () => f.local('i64'));
    const tmp = f.localsOf(4, 'i64');
    const [end, half, blk, pa, pb, pa2, pb2, pw, pw0, j] = f.localsOf(10, 'i32');
    f.get(m).i32c(ELEMENT_BYTES).i32mul().set(half);
    f.get(tw).get(half).i32add().i32c(ELEMENT_BYTES).i32add().set(pw0);
    f.get(n).i32c(ELEMENT_BYTES).i32mul().get(x).i32add().set(end);
    f.get(x).set(blk);
    f.block().loop();
    f.get(blk).get(end).i32geu().brIf(1);
    for (const blockOffset of [0, 2]) {
      // j = 0: the product by 1 is b itself, reduced to [0, 2p) so that a − b + 2p ≥ 0
      f.get(blk).get(half).i32c(blockOffset).i32mul().i32add().set(pa);
      f.get(pa).get(half).i32add().set(pb);
      emitReduceToLocals(f, mp, pb, Tz, tmp);
      emitScalarButterflyTail(f, mp, Tz, pa, pb, tmp);
    }
    f.get(blk).i32c(ELEMENT_BYTES).i32add().set(pa);
    f.get(pa).get(half).i32add().set(pb);
    f.get(pb).get(half).i32add().set(pa2);
    f.get(pa2).get(half).i32add().set(pb2);
    f.get(pw0).set(pw);
    f.get(m).i32c(1).i32sub().set(j);
    f.block().loop();
    f.get(j).i32eqz().brIf(1);
    emitSimdButterfly(f, mp, S, pa, { ptr: pa2, offset: 0 }, pb, { ptr: pb2, offset: 0 }, (i) => {
      f.get(pw);
      load32Splat(f, 4 * i);
    });
    for (const p of [pa, pb, pa2, pb2, pw]) f.get(p).i32c(ELEMENT_BYTES).i32add().set(p);
    f.get(j).i32c(1).i32sub().set(j);
    f.br(0).end().end();
    f.get(blk).get(half).i32c(2).i32shl().i32add().set(blk);
    f.br(0).end().end();
  }
}

/** The NTT module: scalar kernels always, the SIMD stage when asked. */
export function buildNttModule(mp: Params, simd: boolean): ModuleBuilder {
  const mb = new ModuleBuilder();
  emitScalarNttKernels(mb, mp);
  if (simd) emitSimdNttKernels(mb, mp);
  return mb;
}
