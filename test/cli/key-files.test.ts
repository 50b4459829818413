/**
 * The vk.bin / pk.bin containers and the settings digest: round trips
 * (fast-check); every truncation, and any change of the magic, version or
 * a G2 coordinate, is a KeyFileError naming the part (never another
 * exception); the settings digest changes with every field and not with key
 * order. The committed weights' section of vk.bin round-trips (names,
 * shapes, points, the point at infinity) and a row commitment off the curve
 * is a KeyFileError naming the row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { G2_GENERATOR, g2FromNoble, NobleG2Point } from '../../src/curve/curve.js';
import { G1_GENERATOR } from '../../src/curve/g1.js';
import { verifierGroup } from '../../src/pcs/index.js';
import { decodePkFile, decodeVkFile, encodePkFile, encodeVkFile, KeyFileError } from '../../src/cli/key-files.js';
import { settingsDigest, type Settings } from '../../src/cli/settings.js';

const tauG2 = g2FromNoble(NobleG2Point.BASE.multiply(123456789n));
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const g1 = (k: bigint) => verifierGroup.lincomb([G1_GENERATOR], [k]);
const WEIGHTS = [
  { name: 'h0.attn.q.w', rows: 2, cols: 5, commitments: [g1(3n), null] },
  { name: 'wte', rows: 1, cols: 8, commitments: [g1(7n)] },
];

describe('key files', () => {
  it('vk.bin and pk.bin round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), bytes(300), bytes(300), (digest, vk, srs) => {
        const v = decodeVkFile(encodeVkFile({ settingsDigest: digest, g2: G2_GENERATOR, sG2: tauG2, vk, weights: [] }));
        expect(v.weights).toEqual([]);
        expect(Array.from(v.vk)).toEqual(Array.from(vk));
        expect(Array.from(v.settingsDigest)).toEqual(Array.from(digest));
        expect(v.sG2).toEqual(tauG2);
        const p = decodePkFile(encodePkFile({ settingsDigest: digest, srs, pk: vk }));
        expect(Array.from(p.srs)).toEqual(Array.from(srs));
        expect(Array.from(p.pk)).toEqual(Array.from(vk));
      }),
      { numRuns: 30 },
    );
  });

  it('every truncation and a changed magic, version or G2 coordinate is a KeyFileError', () => {
    const vk = encodeVkFile({ settingsDigest: new Uint8Array(32), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(40).fill(7), weights: WEIGHTS });
    const pk = encodePkFile({ settingsDigest: new Uint8Array(32), srs: new Uint8Array(50), pk: new Uint8Array(20) });
    for (let n = 0; n < vk.length; n++) expect(() => decodeVkFile(vk.subarray(0, n))).toThrow(KeyFileError);
    for (let n = 0; n < pk.length; n++) expect(() => decodePkFile(pk.subarray(0, n))).toThrow(KeyFileError);
    const flip = (b: Uint8Array, i: number) => {
      const c = Uint8Array.from(b);
      c[i] = c[i]! ^ 1;
      return c;
    };
    expect(() => decodeVkFile(flip(vk, 0))).toThrow(/expected the "ZKVB" magic/);
    expect(() => decodeVkFile(flip(vk, 4))).toThrow(/expected version 2, got 3/);
    expect(() => decodeVkFile(flip(vk, 200))).toThrow(/\[τ\]₂ is not a valid G2 point/);
    expect(() => decodeVkFile(new Uint8Array([...vk, 0]))).toThrow(/1 unexpected bytes after the end/);
    expect(() => decodePkFile(vk)).toThrow(/expected the "ZKPB" magic/);
  });

  it('the weight commitments round-trip; a row commitment off the curve names the row', () => {
    const vk = encodeVkFile({ settingsDigest: new Uint8Array(32), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(3), weights: WEIGHTS });
    expect(decodeVkFile(vk).weights).toEqual(WEIGHTS);
    // the last 32 bytes are wte's row 0: x = 0 is not on y² = x³ + 3 (3 is not a square mod q)
    const bad = Uint8Array.from(vk);
    bad.fill(0, bad.length - 32);
    expect(() => decodeVkFile(bad)).toThrow(KeyFileError);
    expect(() => decodeVkFile(bad)).toThrow(/wte's row 0 commitment is not a valid G1 point/);
  });

  it('the settings digest follows every field, not key order', () => {
    const s = { format: 'zktensor-settings', version: 1, name: 'm', scale: 7, quant: { scale: 7, bits: 13 }, k: 11 } as unknown as Settings;
    const d = settingsDigest(s);
    const reordered = Object.fromEntries(Object.entries(s).reverse()) as unknown as Settings;
    expect(settingsDigest(reordered)).toEqual(d);
    for (const edit of [{ name: 'n' }, { scale: 8 }, { k: 12 }, { quant: { scale: 7, bits: 14 } }]) {
      expect(settingsDigest({ ...s, ...edit } as Settings)).not.toEqual(d);
    }
  });
});
