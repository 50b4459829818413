/**
 * ML gadgets over the PLONKish frontend: fixed-point tensors, exact lookup
 * tables, and halo2-style chips (configure / assign) with bigint specs.
 * See docs/architecture.md (src/gadgets).
 */
export * from './tensor.js';
export * from './exact.js';
export * from './tables.js';
export * from './context.js';
export * from './range.js';
export * from './load.js';
export * from './rescale.js';
export * from './elementwise.js';
export * from './dot.js';
export * from './matmul.js';
export * from './relu.js';
export * from './max.js';
export * from './lookup-fn.js';
export * from './division.js';
export * from './softmax.js';
export * from './layernorm.js';
export * from './attention.js';
export * from './embedding.js';
export * from './circuits.js';
