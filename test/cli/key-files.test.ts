/**
 * The vk.bin / pk.bin containers and the settings digest: round trips
 * (fast-check); every truncation, and any change of the magic, version or
 * a G2 coordinate, is a KeyFileError naming the part (never another
 * exception); the settings digest changes with every field and not with key
 * order. The committed weights' section of vk.bin round-trips (names,
 * shapes, points, the point at infinity, whether they are hiding) and a row
 * commitment off the curve is a KeyFileError naming the row; pk.bin's
 * blinding scalars round-trip and a non-canonical one is refused. Files of
 * the previous versions still load: vk.bin 2 as binding-only commitments,
 * pk.bin 1 without blinds; unknown versions and flags are KeyFileErrors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { G2_GENERATOR, g2FromNoble, NobleG2Point } from '../../src/curve/curve.js';
import { G1_GENERATOR } from '../../src/curve/g1.js';
import { verifierGroup } from '../../src/pcs/index.js';
import { decodePkFile, decodeVkFile, encodePkFile, encodeVkFile, KeyFileError, PK_FILE_VERSION, VK_FILE_VERSION } from '../../src/cli/key-files.js';
import { Fr } from '../../src/field/index.js';
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
    const scalars = fc.array(fc.array(fc.bigInt({ min: 0n, max: Fr.p - 1n }), { maxLength: 4 }), { maxLength: 3 });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), bytes(300), bytes(300), fc.boolean(), scalars, (digest, vk, srs, hiding, blinds) => {
        const v = decodeVkFile(encodeVkFile({ settingsDigest: digest, g2: G2_GENERATOR, sG2: tauG2, vk, weights: hiding ? WEIGHTS : [], weightsHiding: hiding }));
        expect(v.weights).toEqual(hiding ? WEIGHTS : []);
        expect(v.weightsHiding).toBe(hiding);
        expect(Array.from(v.vk)).toEqual(Array.from(vk));
        expect(Array.from(v.settingsDigest)).toEqual(Array.from(digest));
        expect(v.sG2).toEqual(tauG2);
        const p = decodePkFile(encodePkFile({ settingsDigest: digest, srs, pk: vk, weightBlinds: blinds }));
        expect(Array.from(p.srs)).toEqual(Array.from(srs));
        expect(Array.from(p.pk)).toEqual(Array.from(vk));
        expect(p.weightBlinds).toEqual(blinds);
      }),
      { numRuns: 30 },
    );
  });

  it('every truncation and a changed magic, version, flag or G2 coordinate is a KeyFileError', () => {
    const vk = encodeVkFile({ settingsDigest: new Uint8Array(32), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(40).fill(7), weights: WEIGHTS, weightsHiding: true });
    const pk = encodePkFile({ settingsDigest: new Uint8Array(32), srs: new Uint8Array(50), pk: new Uint8Array(20), weightBlinds: [[1n, Fr.p - 1n], [5n]] });
    for (let n = 0; n < vk.length; n++) expect(() => decodeVkFile(vk.subarray(0, n))).toThrow(KeyFileError);
    for (let n = 0; n < pk.length; n++) expect(() => decodePkFile(pk.subarray(0, n))).toThrow(KeyFileError);
    const flip = (b: Uint8Array, i: number) => {
      const c = Uint8Array.from(b);
      c[i] = c[i]! ^ 1;
      return c;
    };
    const withVersion = (b: Uint8Array, v: number) => {
      const c = Uint8Array.from(b);
      new DataView(c.buffer).setUint32(4, v, true);
      return c;
    };
    expect(() => decodeVkFile(flip(vk, 0))).toThrow(/expected the "ZKVB" magic/);
    expect(() => decodeVkFile(withVersion(vk, 9))).toThrow(/expected version 3 or 2, got 9/);
    expect(() => decodePkFile(withVersion(pk, 9))).toThrow(/expected version 2 or 1, got 9/);
    // the weight flags word follows the VK (300 + 40): an unknown bit, or hiding without matrices
    expect(() => decodeVkFile(flip(vk, 341))).toThrow(/unknown weight flags 0x101/);
    const bare = encodeVkFile({ settingsDigest: new Uint8Array(32), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(40), weights: [], weightsHiding: false });
    expect(() => decodeVkFile(flip(bare, 340))).toThrow(/marked hiding, but it holds no weight commitments/);
    expect(() => encodeVkFile({ settingsDigest: new Uint8Array(32), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(40), weights: [], weightsHiding: true })).toThrow(KeyFileError);
    // a blind ≥ r (the last 32 bytes: matrix 1's blind 0)
    const badBlind = Uint8Array.from(pk);
    badBlind.fill(0xff, badBlind.length - 32);
    expect(() => decodePkFile(badBlind)).toThrow(/matrix 1's blind 0 is not a canonical scalar/);
    expect(() => encodePkFile({ settingsDigest: new Uint8Array(32), srs: new Uint8Array(1), pk: new Uint8Array(1), weightBlinds: [[Fr.p]] })).toThrow(KeyFileError);
    expect(() => decodeVkFile(flip(vk, 200))).toThrow(/\[τ\]₂ is not a valid G2 point/);
    expect(() => decodeVkFile(new Uint8Array([...vk, 0]))).toThrow(/1 unexpected bytes after the end/);
    expect(() => decodePkFile(vk)).toThrow(/expected the "ZKPB" magic/);
  });

  it('files of the previous versions load: vk.bin 2 as binding-only commitments, pk.bin 1 without blinds', () => {
    expect([VK_FILE_VERSION, PK_FILE_VERSION]).toEqual([3, 2]);
    const f = { settingsDigest: new Uint8Array(32).fill(3), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(40).fill(7), weights: WEIGHTS, weightsHiding: false };
    const v3 = encodeVkFile(f);
    // version 2: the same bytes without the weight flags word after the VK, version 2
    const v2 = new Uint8Array([...v3.subarray(0, 340), ...v3.subarray(344)]);
    new DataView(v2.buffer).setUint32(4, 2, true);
    const old = decodeVkFile(v2);
    expect(old.weightsHiding).toBe(false);
    expect(old.weights).toEqual(WEIGHTS);
    expect(Array.from(old.vk)).toEqual(Array.from(f.vk));
    const p2 = encodePkFile({ settingsDigest: new Uint8Array(32), srs: new Uint8Array(50).fill(1), pk: new Uint8Array(20).fill(2) });
    // version 1: without the (empty) blinds section
    const p1 = Uint8Array.from(p2.subarray(0, p2.length - 4));
    new DataView(p1.buffer).setUint32(4, 1, true);
    const pk1 = decodePkFile(p1);
    expect(pk1.weightBlinds).toEqual([]);
    expect(Array.from(pk1.pk)).toEqual(Array.from(new Uint8Array(20).fill(2)));
  });

  it('the weight commitments round-trip; a row commitment off the curve names the row', () => {
    const vk = encodeVkFile({ settingsDigest: new Uint8Array(32), g2: G2_GENERATOR, sG2: tauG2, vk: new Uint8Array(3), weights: WEIGHTS, weightsHiding: true });
    expect(decodeVkFile(vk).weights).toEqual(WEIGHTS);
    expect(decodeVkFile(vk).weightsHiding).toBe(true);
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
