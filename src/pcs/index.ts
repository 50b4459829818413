export { KzgParams, unsafeDevSrs, checkSrs, kzgBatchVerify, srsId, verifierGroup } from './kzg.js';
export { lagrangeBasisSrs } from './lagrange-srs.js';
export { readPtau, readHalo2Params, writeHalo2Params, truncateSrs, SrsFormatError, type Srs } from './srs.js';
