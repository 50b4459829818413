export * from './types.js';
export { packedG1, G1AffineVec, PackedG1 } from './g1.js';
export { msm } from './msm.js';
