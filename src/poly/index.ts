export * from './domain.js';
export * from './ntt.js';
export * from './polynomial.js';
