/**
 * Shared shapes of the example circuits: each example exports a Circuit
 * class and helpers returning an `ExampleCase` (a circuit with a valid or a
 * deliberately bad witness, its public inputs and a suitable k).
 */
import { mulberry32 } from '../../src/field/random.js';
import type { Circuit } from '../../src/plonkish/frontend/index.js';

export interface ExampleCase<Config, Params> {
  readonly circuit: Circuit<Config, Params>;
  readonly instances: bigint[][];
  /** A k that fits the circuit (rows plus blinding rows). */
  readonly k: number;
}

/** Deterministic 32-bit generator (mulberry32) for synthetic witnesses. */
export function seededRng(seed: number): () => number {
  return mulberry32(seed);
}
