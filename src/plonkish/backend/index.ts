/** The PLONKish backend: keygen, prover, verifier, keys and transcripts. */
export * from './argument.js';
export * from './keygen.js';
export * from './prover.js';
export * from './verifier.js';
export * from './vk.js';
export * from './proof.js';
export * from './transcript.js';
export { cosetPart, extendedLog, rotate, StoredColumn, type ProverParams } from './columns.js';
export * from './pk.js';
