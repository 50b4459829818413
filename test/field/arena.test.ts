/**
 * Property test of the first-fit Arena against a model of live blocks: any
 * sequence of allocations and releases keeps blocks 64-byte aligned, inside
 * the memory, disjoint, zero-filled when asked, with their contents intact;
 * bytesInUse matches the model; releasing everything gives the memory back
 * (the next block starts where the first one did).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/field/runtime.js';

type Step = { kind: 'alloc'; bytes: number; zero: boolean } | { kind: 'release'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('alloc' as const), bytes: fc.integer({ min: 0, max: 5000 }), zero: fc.boolean() }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
);

interface Live {
  ptr: number;
  size: number;
  tag: number;
}

describe('Arena', () => {
  it('keeps live blocks aligned, disjoint, intact and accounted for, under any alloc/release sequence', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const arena = new Arena(1, 128);
        const live: Live[] = [];
        let nextTag = 1;
        const first = arena.alloc(1);
        arena.release(first);
        for (const s of steps) {
          if (s.kind === 'alloc') {
            const ptr = arena.alloc(s.bytes, s.zero);
            const size = Math.max(64, Math.ceil(s.bytes / 64) * 64);
            expect(ptr % 64).toBe(0);
            expect(ptr).toBeGreaterThanOrEqual(128);
            expect(ptr + size).toBeLessThanOrEqual(arena.memory.buffer.byteLength);
            for (const b of live) expect(ptr + size <= b.ptr || b.ptr + b.size <= ptr).toBe(true);
            const bytes = new Uint8Array(arena.memory.buffer, ptr, size);
            if (s.zero) expect(bytes.every((x) => x === 0)).toBe(true);
            const tag = nextTag++ & 0xff || 1;
            bytes.fill(tag);
            live.push({ ptr, size, tag });
          } else if (live.length > 0) {
            const [gone] = live.splice(s.pick % live.length, 1);
            arena.release(gone!.ptr);
          }
          expect(arena.bytesInUse).toBe(live.reduce((a, b) => a + b.size, 0));
        }
        // memory may have grown and moved: read every live block through the current buffer
        for (const b of live) expect(new Uint8Array(arena.memory.buffer, b.ptr, b.size).every((x) => x === b.tag)).toBe(true);
        for (const b of live) arena.release(b.ptr);
        expect(arena.bytesInUse).toBe(0);
        expect(arena.alloc(1)).toBe(first);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a double free, an unknown pointer and a bad byte count, naming them', () => {
    const arena = new Arena(1, 128);
    const p = arena.alloc(100);
    arena.release(p);
    expect(() => arena.release(p)).toThrow(/not an allocated block/);
    expect(() => arena.release(12345)).toThrow(/12345/);
    expect(() => arena.alloc(-1)).toThrow(/expected a byte count ≥ 0, got -1/);
    expect(() => arena.alloc(1.5)).toThrow(/got 1.5/);
  });
});
