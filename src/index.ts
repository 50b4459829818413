/**
 * zktensor: a pure-TypeScript PLONKish/KZG prover for ML inference over BN254.
 * Layers: field → curve, poly → pcs → plonkish (frontend, backend) → gadgets → models → cli.
 */
export * from './field/index.js';
export * from './poly/index.js';
export * from './curve/index.js';
export * from './pcs/index.js';
export * from './plonkish/frontend/index.js';
export * from './plonkish/backend/index.js';
export * as gadgets from './gadgets/index.js';
