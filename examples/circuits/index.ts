/**
 * Example circuits: small, documented circuits used by the frontend tests
 * now and by the real prover's tests later. Each exports a Circuit class,
 * a `…Valid` helper (valid witness and instances) and a `…Bad` helper.
 */
export * from './common.js';
export * from './mul-chain.js';
export * from './range-check.js';
export * from './shuffle.js';
export * from './copy-regions.js';
export * from './public-inputs.js';
export * from './standard.js';
