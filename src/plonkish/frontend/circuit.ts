/**
 * The circuit interface (halo2's `plonk::Circuit` with
 * `configure_with_params`) and the synthesis entry points.
 *
 * - `configure(cs, params)` declares columns, gates and lookups. It sees only
 *   `params` (sizes, scales: no witness), so every instance of a circuit
 *   with equal params configures identically.
 * - `synthesize(layouter, config)` assigns cells. It runs once per
 *   synthesis; the layout must depend only on params, never on witness
 *   values (keygen synthesizes with no witness at all).
 */
import type { Assignment } from './assignment.js';
import type { Phase } from './columns.js';
import type { CompiledCircuit } from './compiled.js';
import { ConstraintSystem } from './constraint-system.js';
import { Layouter } from './layouter.js';
import type { SynthesisMode } from './layout-store.js';
import { planRegions, type FloorPlan } from './floor-plan.js';

export interface Circuit<Config, Params = undefined> {
  /** Shape settings passed to `configure` (no witness). */
  readonly params: Params;
  configure(cs: ConstraintSystem, params: Params): Config;
  synthesize(layouter: Layouter, config: Config): void;
}

/** A configured circuit: reuse it across keygen and the prover's phases. */
export interface ConfiguredCircuit<Config> {
  readonly cs: ConstraintSystem;
  readonly config: Config;
  readonly compiled: CompiledCircuit;
}

export function configure<Config, Params>(circuit: Circuit<Config, Params>): ConfiguredCircuit<Config> {
  const cs = new ConstraintSystem();
  const config = circuit.configure(cs, circuit.params);
  return { cs, config, compiled: cs.compile() };
}

export interface SynthesizeOptions {
  /** The table has n = 2^k rows. */
  readonly k: number;
  /** Reuse an earlier `configure(circuit)` (must come from equal params). */
  readonly configured?: ConfiguredCircuit<unknown>;
}

/** Keygen synthesis: layout, fixed columns and copies; advice and instances are ignored. */
export function synthesizeKeygen<Config, Params>(circuit: Circuit<Config, Params>, options: SynthesizeOptions): Assignment {
  return run(circuit, options, { witness: false });
}

export interface WitnessOptions extends SynthesizeOptions {
  readonly instances: readonly (readonly bigint[])[];
  /** Advice phases to record (default: all). */
  readonly phases?: readonly Phase[];
  /** Known challenge values by index (missing = unknown). */
  readonly challenges?: readonly (bigint | undefined)[];
  /** false: skip copy constraints (the prover, whose keygen recorded them); default true. */
  readonly copies?: boolean;
}

/** Witness synthesis: records advice of `phases` and the instances. */
export function synthesizeWitness<Config, Params>(circuit: Circuit<Config, Params>, options: WitnessOptions): Assignment {
  return run(circuit, options, {
    witness: true,
    instances: options.instances,
    ...(options.phases ? { phases: options.phases } : {}),
    ...(options.challenges ? { challenges: options.challenges } : {}),
    ...(options.copies === false ? { copies: false } : {}),
  });
}

const plans = new WeakMap<ConfiguredCircuit<unknown>, Map<number, FloorPlan>>();

/** The packed floor plan of a configured circuit at k (measured once, then cached). */
export function floorPlan<Config, Params>(circuit: Circuit<Config, Params>, configured: ConfiguredCircuit<Config>, k: number): FloorPlan {
  let byK = plans.get(configured as ConfiguredCircuit<unknown>);
  if (!byK) plans.set(configured as ConfiguredCircuit<unknown>, (byK = new Map()));
  let plan = byK.get(k);
  if (!plan) {
    const measure = new Layouter(configured.cs, k, { witness: false, measure: true });
    circuit.synthesize(measure, configured.config);
    plan = planRegions(configured.cs, measure.measuredRegions());
    byK.set(k, plan);
  }
  return plan;
}

function run<Config, Params>(circuit: Circuit<Config, Params>, options: SynthesizeOptions, mode: SynthesisMode): Assignment {
  const configured = (options.configured as ConfiguredCircuit<Config> | undefined) ?? configure(circuit);
  const plan = configured.cs.floorPlanner === 'packed' ? floorPlan(circuit, configured, options.k) : undefined;
  const layouter = new Layouter(configured.cs, options.k, plan ? { ...mode, plan } : mode);
  circuit.synthesize(layouter, configured.config);
  return layouter.finish();
}
