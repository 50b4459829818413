/**
 * The model layer: graph IR, float and quantized evaluators, compilation to
 * a circuit, calibration, cost estimates, and builders (MLP, transformer
 * block, GPT-2 presets). Each op is defined once in ops/<op>.ts (registry:
 * ops/index.ts).
 */
export * from './ir.js';
export * from './float-eval.js';
export * from './quant.js';
export * from './compile.js';
export * from './calibrate.js';
export * from './builders.js';
export * from './presets.js';
export * from './cost.js';
export * from './onnx.js';
export * from './onnx-eval.js';
export * from './onnx-ops.js';
export * from './safetensors.js';
export * from './tokenizer.js';
export * from './replicas.js';
export { type ChipKind, chipKey, chipLabel, type ChipSpec } from './ops/chips.js';
export type { OpCost, OpDef, OpShapes } from './ops/types.js';
