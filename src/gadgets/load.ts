/**
 * Loading tensors into the circuit: witness tensors are written in bulk into
 * one equality-enabled advice column (one entry per row), public tensors
 * are copied from an instance column. Other chips copy entries from here.
 *
 *   | value (advice, eq) |        region "load <name>": entries row-major
 */
import type { AdviceColumn, InstanceColumn, Layouter } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, type FixedPointTensor, GadgetError, sizeOf } from './tensor.js';

export class TensorLoader {
  constructor(
    readonly value: AdviceColumn,
    readonly instance?: InstanceColumn,
  ) {}

  static configure(ctx: GadgetContext, options: { instance?: boolean } = {}): TensorLoader {
    const value = ctx.cs.adviceColumn({ name: 'load.value' });
    ctx.cs.enableEquality(value);
    let instance: InstanceColumn | undefined;
    if (options.instance) {
      instance = ctx.cs.instanceColumn({ name: 'load.public' });
      ctx.cs.enableEquality(instance);
    }
    return new TensorLoader(value, instance);
  }

  /** A private tensor of the given shape and scale (`t` undefined at keygen). */
  load(layouter: Layouter, name: string, shape: readonly number[], scale: number, t: FixedPointTensor | undefined): AssignedTensor {
    const n = sizeOf(shape);
    if (t && (t.data.length !== n || t.scale !== scale)) {
      throw new GadgetError(`load ${name}: expected shape [${shape.join(', ')}] at scale 2^${scale}, got [${t.shape.join(', ')}] at 2^${t.scale}`);
    }
    const values = Value.fromOptional(t?.data);
    const cells = layouter.region(`load ${name}`, (region) => spanCells(region.assignAdviceColumn(this.value, 0, values, n)));
    return assignedTensor(shape, scale, cells, values);
  }

  /** Constrain a tensor's entries to public inputs rows `firstRow` … of the instance column. */
  expose(layouter: Layouter, t: AssignedTensor, firstRow = 0): void {
    if (!this.instance) throw new GadgetError('TensorLoader.expose: configure with { instance: true }');
    t.cells.forEach((c, i) => layouter.constrainInstance(c, this.instance!, firstRow + i));
  }
}
