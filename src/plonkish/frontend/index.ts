/**
 * The PLONKish frontend: what a circuit author touches (columns, gates,
 * lookups, regions, the mock prover) and the contract handed to a backend
 * (`CompiledCircuit` + `Assignment`). Imports only `src/field`.
 */
export * from './columns.js';
export * from './errors.js';
export * from './expression.js';
export * from './value.js';
export * from './constraint-system.js';
export * from './compiled.js';
export * from './assignment.js';
export type { SynthesisMode } from './layout-store.js';
export * from './region.js';
export * from './layouter.js';
export * from './circuit.js';
export * from './floor-plan.js';
export { compileRowEvaluator, mockCellValue, POISON, rotateRow, type MockColumns, type RowEvaluator } from './mock-eval.js';
export * from './mock-failures.js';
export * from './mock-prover.js';
