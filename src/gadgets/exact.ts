/**
 * Exact fixed-point arithmetic in bigint, for building lookup tables the same
 * way on every JS engine (no Math.exp / Math.tanh: their last bits differ
 * between engines).
 *
 * A working value V stands for V / 2^P with P = 192 bits. exp uses argument
 * halving (y / 2^j < 1/2), a Taylor series summed until the term vanishes,
 * then j squarings; the absolute error of each result stays far below
 * 2^−150 for the table ranges used here (|x| ≤ 64), so rounding the result
 * to ≤ 32 fractional bits is correct except for values within 2^−150 of a
 * tie, which cannot be told apart at that precision anyway. Results that are
 * rational (reciprocal) or algebraic (rsqrt) are rounded exactly.
 */
export const PRECISION = 192n;
export const ONE = 1n << PRECISION;
const HALF = ONE >> 1n;

/** ⌊√n⌋ for n ≥ 0 (Newton's method). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError(`isqrt: expected n ≥ 0, got ${n}`);
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** e^(y / 2^P) · 2^P. */
export function expFix(y: bigint): bigint {
  if (y < 0n) {
    const e = expFix(-y);
    return (ONE * ONE + (e >> 1n)) / e;
  }
  let j = 0n;
  while (y >> j >= HALF) j++;
  const r = y >> j;
  let sum = ONE;
  let term = ONE;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * r) / (i * ONE);
    sum += term;
  }
  for (let k = 0n; k < j; k++) sum = (sum * sum) >> PRECISION;
  return sum;
}

/** atan(1/x) · 2^P for an integer x ≥ 2 (alternating series). */
function atanInv(x: bigint): bigint {
  const x2 = x * x;
  let power = ONE / x;
  let sum = power;
  for (let k = 1n; power !== 0n; k++) {
    power /= x2;
    const term = power / (2n * k + 1n);
    sum += k % 2n === 1n ? -term : term;
  }
  return sum;
}

/** π · 2^P by Machin's formula π = 16·atan(1/5) − 4·atan(1/239). */
export function piFix(): bigint {
  return 16n * atanInv(5n) - 4n * atanInv(239n);
}

/** tanh(y / 2^P) · 2^P = (e^2y − 1) / (e^2y + 1). */
export function tanhFix(y: bigint): bigint {
  if (y < 0n) return -tanhFix(-y);
  const e = expFix(2n * y);
  return ((e - ONE) * ONE) / (e + ONE);
}

/** 1 / (1 + e^−y), fixed point. */
export function sigmoidFix(y: bigint): bigint {
  return (ONE * ONE) / (ONE + expFix(-y));
}

/** √(2/π) · 2^P. */
export function sqrtTwoOverPiFix(): bigint {
  return isqrt((2n * ONE * ONE * ONE) / piFix());
}

/**
 * GELU, tanh form (GPT-2's `gelu_new`, Hendrycks & Gimpel 2016):
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export function geluFix(x: bigint, sqrtTwoOverPi: bigint = sqrtTwoOverPiFix()): bigint {
  const x3 = (((x * x) >> PRECISION) * x) >> PRECISION;
  const inner = (sqrtTwoOverPi * (x + (44715n * x3) / 1_000_000n)) >> PRECISION;
  return (x * (ONE + tanhFix(inner))) >> (PRECISION + 1n);
}

/** round(V · 2^t / 2^P), half up. */
export function roundFix(v: bigint, t: number): bigint {
  return ((v << BigInt(t)) + HALF) >> PRECISION;
}

/** The real n / 2^s as a working value (exact). */
export function fromScaled(n: bigint, s: number): bigint {
  return (n << PRECISION) >> BigInt(s);
}

/** round(a / b) half up, b > 0. */
export function ratRound(a: bigint, b: bigint): bigint {
  const q = (2n * a + b) / (2n * b);
  return 2n * a + b < 0n && (2n * a + b) % (2n * b) !== 0n ? q - 1n : q;
}

/** round(√(a / b)) exactly, a ≥ 0, b > 0: y = ⌊√⌊a/b⌋⌋, +1 iff 4a ≥ b·(2y + 1)². */
export function sqrtRatRound(a: bigint, b: bigint): bigint {
  const y = isqrt(a / b);
  return 4n * a >= b * (2n * y + 1n) ** 2n ? y + 1n : y;
}
