/**
 * float16.ts against known IEEE binary16 / bfloat16 bit patterns (±0,
 * subnormals, the smallest normal, max, ±∞, NaN), round trips, and the ONNX
 * reader decoding FLOAT16 raw data through the same decoder.
 */
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { bf16ToNumber, halfToNumber, numberToBf16, numberToHalf } from '../../src/models/float16.js';
import { decodeTensor } from '../../src/models/onnx.js';

const HALF: readonly [number, number][] = [
  [0x0000, 0],
  [0x8000, -0],
  [0x0001, 2 ** -24], // smallest subnormal
  [0x03ff, 1023 * 2 ** -24], // largest subnormal
  [0x0400, 2 ** -14], // smallest normal
  [0x3c00, 1],
  [0xc000, -2],
  [0x3555, 0.333251953125],
  [0x7bff, 65504], // max
  [0xfbff, -65504],
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
];

describe('float16', () => {
  it('decodes known half bit patterns, with the sign of zero', () => {
    for (const [bits, v] of HALF) expect(Object.is(halfToNumber(bits), v)).toBe(true);
    for (const nan of [0x7e00, 0x7c01, 0xfe00]) expect(halfToNumber(nan)).toBeNaN();
  });
  it('encodes them back (round to nearest even, overflow to ∞, NaN stays NaN)', () => {
    for (const [bits, v] of HALF) expect(numberToHalf(v)).toBe(bits);
    expect(numberToHalf(65520)).toBe(0x7c00); // halfway above max rounds to ∞
    expect(numberToHalf(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → even (0)
    expect(numberToHalf(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal units → even (2)
    expect(halfToNumber(numberToHalf(NaN))).toBeNaN();
  });
  it('every finite half round-trips', () => {
    const bad: number[] = [];
    for (let b = 0; b < 0x10000; b++) if (((b >> 10) & 0x1f) !== 31 && numberToHalf(halfToNumber(b)) !== b) bad.push(b);
    expect(bad).toEqual([]);
  });
  it('bfloat16: known patterns and round to nearest even', () => {
    const BF: readonly [number, number][] = [[0x0000, 0], [0x8000, -0], [0x3f80, 1], [0xc040, -3], [0x7f7f, 3.3895313892515355e38], [0x0001, 2 ** -133], [0x7f80, Infinity], [0xff80, -Infinity]];
    for (const [bits, v] of BF) {
      expect(Object.is(bf16ToNumber(bits), v)).toBe(true);
      expect(numberToBf16(v)).toBe(bits);
    }
    expect(bf16ToNumber(0x7fc0)).toBeNaN();
    expect(numberToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(numberToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });
  it('the ONNX reader decodes FLOAT16 raw data with the same decoder', () => {
    const bits = Uint16Array.from(HALF.map(([b]) => b));
    const raw = new Uint8Array(bits.buffer);
    const t = decodeTensor(onnxProto.onnx.TensorProto.create({ name: 'h', dims: [bits.length], dataType: 10, rawData: raw }));
    HALF.forEach(([, v], i) => expect(Object.is(t.data[i], v)).toBe(true));
  });
});
