/**
 * zktensor: a pure-TypeScript PLONKish/KZG prover for ML inference over BN254.
 * Layers: field → poly → plonkish (frontend, backend) → gadgets.
 */
export * from './field/index.js';
export * from './poly/index.js';
export { KzgParams, unsafeDevSrs, checkSrs, kzgBatchVerify, srsId, verifierGroup } from './poly/kzg.js';
export { lagrangeBasisSrs } from './poly/lagrange-srs.js';
export { readPtau, readHalo2Params, writeHalo2Params, truncateSrs, SrsFormatError, type Srs } from './poly/srs.js';
export { msm } from './poly/msm.js';
export { packedG1, G1AffineVec, PackedG1 } from './poly/g1.js';
export * from './plonkish/frontend/index.js';
export * from './plonkish/backend/index.js';
export * as gadgets from './gadgets/index.js';
