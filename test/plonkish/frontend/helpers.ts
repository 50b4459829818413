/** Inline circuits for tests: a configure and a synthesize closure. */
import type { Circuit, ConstraintSystem, Layouter } from '../../../src/plonkish/frontend/index.js';

export function circuitOf<Config>(
  configure: (cs: ConstraintSystem) => Config,
  synthesize: (layouter: Layouter, config: Config) => void,
): Circuit<Config, undefined> {
  return { params: undefined, configure: (cs) => configure(cs), synthesize };
}
