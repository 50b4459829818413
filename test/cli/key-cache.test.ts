/**
 * The key cache's file layer: a stored payload reads back; a missing file is
 * a silent miss; a corrupt, truncated, foreign or undecodable file is a
 * miss with a note saying why; the cache key changes with every field of
 * the statement and not with key order.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, codeFingerprint, KeyCache } from '../../src/cli/key-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-keycache-'));
const identity = (b: Uint8Array) => b;

describe('KeyCache', () => {
  const cache = new KeyCache(dir);
  const key = cacheKey({ model: 'test', k: 5 });
  const payload = Uint8Array.from({ length: 100 }, (_, i) => i);

  it('stores and loads; a missing file is a miss without a note', () => {
    expect(cache.load(key, 'pk', identity)).toEqual({ hit: false, path: cache.path(key, 'pk') });
    cache.store(key, 'pk', payload);
    const got = cache.load(key, 'pk', identity);
    expect(got.hit).toBe(true);
    expect(got.hit && Array.from(got.value)).toEqual(Array.from(payload));
  });

  it.each([
    ['a flipped payload byte', (b: Buffer) => ((b[b.length - 3] ^= 1), b), /is corrupt \(checksum mismatch\)/],
    ['a truncated file', (b: Buffer) => b.subarray(0, 20), /lacks the "ZKTC" header/],
    ['another key', (b: Buffer) => ((b[8] ^= 1), b), /belongs to another key/],
    ['another version', (b: Buffer) => ((b[4] = 9), b), /has version 9, expected 1/],
  ])('%s is a miss with a note', (_, corrupt, note) => {
    cache.store(key, 'vk', payload);
    const path = cache.path(key, 'vk');
    writeFileSync(path, corrupt(readFileSync(path)));
    const got = cache.load(key, 'vk', identity);
    expect(got.hit).toBe(false);
    expect(!got.hit && got.note).toMatch(note);
  });

  it('a payload that does not decode is a miss with the decoder\'s reason', () => {
    cache.store(key, 'vk', payload);
    const got = cache.load(key, 'vk', () => {
      throw new Error('verifying key: expected the "ZKTV" magic');
    });
    expect(!got.hit && got.note).toMatch(/does not decode \(verifying key: expected the "ZKTV" magic\)/);
  });

  it('the key covers every field, not their order; the code fingerprint is stable', () => {
    expect(cacheKey({ a: 1, b: [1, 2] })).toBe(cacheKey({ b: [1, 2], a: 1 }));
    expect(cacheKey({ a: 1, b: [1, 2] })).not.toBe(cacheKey({ a: 1, b: [2, 1] }));
    expect(cacheKey({ a: 1, k: 5 })).not.toBe(cacheKey({ a: 1, k: 6 }));
    expect(canonicalJson({ z: { y: 1, x: undefined }, a: 'q' })).toBe('{"a":"q","z":{"y":1}}');
    expect(codeFingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(codeFingerprint()).toBe(codeFingerprint());
  });
});
