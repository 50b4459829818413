/**
 * Shared shapes of the example circuits: each example exports a Circuit
 * class and helpers returning an `ExampleCase` (a circuit with a valid or a
 * deliberately bad witness, its public inputs and a suitable k).
 */
import type { Circuit } from '../../src/plonkish/frontend/index.js';

export interface ExampleCase<Config, Params> {
  readonly circuit: Circuit<Config, Params>;
  readonly instances: bigint[][];
  /** A k that fits the circuit (rows plus blinding rows). */
  readonly k: number;
}

/** Deterministic 32-bit generator (mulberry32) for synthetic witnesses. */
export function seededRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
