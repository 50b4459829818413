/**
 * fn: attrs.fn (sigmoid, tanh, exp, erf, sqrt) by lookup into a table over
 * the calibrated input range `quant.fnRanges[fn]`: tables.ts (sigmoid, tanh,
 * exp) or lookup-exact.ts (erf, sqrt). The table holds the exact value
 * rounded to the output grid: ½ ulp at the quantized input (the float erf is
 * within 1.2e-7). An input outside the range is a QuantRangeError naming the
 * tensor. Rows: one lookup per input entry, plus the table (its size + 1).
 * One chip per function; not replicated.
 */
import { LookupFnChip, lookupFnSpec, tableKey, tableSize } from '../../gadgets/index.js';
import { exactFnKey, exactFnSpecValues, exactFnTable } from '../../gadgets/lookup-exact.js';
import { GraphError, numel, type NodeAttrs, TABLE_FNS, type TableFnName } from '../graph.js';
import { checkTable, fnTableFor } from '../quant-params.js';
import { halfUlp, nth, type OpDef } from './types.js';

/** erf(x), |error| < 1.2e-7 (Numerical Recipes erfc with a Chebyshev fit). */
export function erfFloat(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

/** The real functions of the IR's `fn` op. */
export const TABLE_FN_FLOAT: Readonly<Record<TableFnName, (x: number) => number>> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  exp: Math.exp,
  erf: erfFloat,
  sqrt: Math.sqrt,
};

/** The node's function (checked by shape inference). */
function fnOf(attrs: NodeAttrs, where: string): TableFnName {
  const f = attrs.fn;
  if (f === undefined || !TABLE_FNS.includes(f)) throw new GraphError(`${where}: attrs.fn ${JSON.stringify(f)} is not one of ${TABLE_FNS.join(', ')}`);
  return f;
}

export const fn: OpDef = {
  arity: [1, 1],
  inferShape({ node, where, real }) {
    fnOf(node.attrs, where);
    return real(0);
  },
  evalFloat({ node, input }) {
    const f = TABLE_FN_FLOAT[fnOf(node.attrs, `node ${node.name}`)];
    return input(0).data.map((v) => f(v));
  },
  evalQuant({ node, input, quant, table }) {
    const a = input(0).data;
    const name = fnOf(node.attrs, `node ${node.name}`);
    const t = fnTableFor(quant, name);
    const [min, max, key] = t.kind === 'fn' ? [t.spec.min, t.spec.max, tableKey(t.spec)] : [t.spec.min, t.spec.max, exactFnKey(t.spec)];
    checkTable(nth(node.inputs, 0, node), a, BigInt(min), BigInt(max), key, quant, `recalibrate with inputs like this one or widen quant.fnRanges.${name}`);
    return t.kind === 'fn' ? lookupFnSpec(table(t.spec), a) : exactFnSpecValues(exactFnTable(t.spec), a);
  },
  maxError: (s, q) => halfUlp(q) + (s.node.attrs.fn === 'erf' ? 1.2e-7 : 0),
  chips: (s) => [{ kind: 'fn', fn: fnOf(s.node.attrs, `node ${s.node.name}`) }],
  cost(s, q) {
    const name = fnOf(s.node.attrs, `node ${s.node.name}`);
    const t = fnTableFor(q, name);
    return { rows: [[{ kind: 'fn', fn: name }, numel(s.input(0))]], tables: [(t.kind === 'fn' ? tableSize(t.spec) : t.spec.max - t.spec.min + 1) + 1] };
  },
  work: () => [],
  synthesize({ node, layouter, ctx, chip, input }) {
    const c = chip({ kind: 'fn', fn: fnOf(node.attrs, `node ${node.name}`) });
    return c instanceof LookupFnChip ? c.assign(layouter, ctx, input(0)) : c.assign(layouter, input(0));
  },
};
