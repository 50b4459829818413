/**
 * IEEE 754 binary16 ("half") and bfloat16 ⇄ number, shared by the ONNX
 * reader (FLOAT16 / BFLOAT16 tensors) and the safetensors reader/writer
 * (F16 / BF16), so both decode the same bit patterns the same way.
 *
 *   half      1 sign, 5 exponent (bias 15), 10 fraction bits; exponent 0:
 *             ±0 and subnormals frac·2^−24; exponent 31: ±∞ (frac 0) or NaN
 *   bfloat16  the top 16 bits of a float32
 */

/** IEEE half bits → number (exact: every half is a float64). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → IEEE half bits, rounding to nearest even (via float32; the double rounding cannot move a tie). */
export function numberToHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h; // a carry into the exponent is the correct rounding (up to Infinity)
}

/** bfloat16 bits → number (the bits are the top half of a float32). */
export function bf16ToNumber(bits: number): number {
  return new Float32Array(new Uint32Array([(bits & 0xffff) << 16]).buffer)[0]!;
}

/** number → bfloat16 bits, rounding to nearest even; NaN stays a (quiet) NaN. */
export function numberToBf16(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  if ((u & 0x7f800000) === 0x7f800000 && u & 0x7fffff) return (u >>> 16) | 0x40;
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}
