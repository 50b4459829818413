/**
 * Enforces the layer rules of docs/architecture.md by scanning imports:
 *   field ← curve, poly ← pcs ← plonkish ← gadgets ← models ← cli (imports point down only);
 *   `field` imports nothing of ours; only src/curve/curve.ts imports @noble/curves;
 *   the plonkish frontend never imports the backend, curve, poly or pcs; gadgets use only
 *   the plonkish frontend and field.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');
// curve (G1, MSM) and poly (domains, NTT) sit side by side above field; pcs (SRS, KZG, SHPLONK) uses both
const ORDER = ['field', 'curve', 'poly', 'pcs', 'plonkish', 'gadgets', 'models', 'cli', 'entry'];
const BELOW_PLONKISH = ['curve', 'poly', 'pcs'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Edge {
  from: string;
  to: string;
  spec: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = (m[1] ?? m[2])!;
      const to = spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)) : spec;
      out.push({ from: relative(SRC, file), to, spec });
    }
  }
  return out;
}

// src/index.ts (the package entry) sits above every layer
const layerOf = (p: string) => (/[\\/]/.test(p) ? p.split(/[\\/]/)[0]! : 'entry');
const isOurs = (p: string) => !p.startsWith('@') && !p.startsWith('node:') && p.includes('/') === true && ORDER.includes(layerOf(p));

export function violations(list: Edge[]): string[] {
  const bad: string[] = [];
  for (const e of list) {
    const from = layerOf(e.from);
    if (e.to.startsWith('@noble/curves') && e.from !== 'curve/curve.ts') bad.push(`${e.from} imports @noble/curves (only curve/curve.ts may)`);
    if (!isOurs(e.to)) continue;
    const to = layerOf(e.to);
    if (from === 'poly' && to === 'curve') bad.push(`${e.from} imports ${e.spec}: polynomials do not depend on the curve`);
    if (ORDER.indexOf(to) > ORDER.indexOf(from)) bad.push(`${e.from} imports ${e.spec}: ${from} may not import ${to}`);
    if (e.from.startsWith('plonkish/frontend') && (e.to.startsWith('plonkish/backend') || BELOW_PLONKISH.includes(to))) {
      bad.push(`${e.from} imports ${e.spec}: the plonkish frontend may not import the backend, curve, poly or pcs`);
    }
    if (from === 'gadgets' && (BELOW_PLONKISH.includes(to) || (to === 'plonkish' && !e.to.startsWith('plonkish/frontend')))) {
      bad.push(`${e.from} imports ${e.spec}: gadgets use only the plonkish frontend and field`);
    }
  }
  return bad;
}

describe('layer rules', () => {
  it('no import breaks the layering of docs/architecture.md', () => {
    expect(violations(edges())).toEqual([]);
  });
  it('the checker catches an upward edge, a stray noble import and a frontend→backend edge', () => {
    const bad = violations([
      { from: 'field/prime.ts', to: 'poly/ntt.ts', spec: '../poly/ntt.js' },
      { from: 'plonkish/prover.ts', to: '@noble/curves/bn254.js', spec: '@noble/curves/bn254.js' },
      { from: 'plonkish/frontend/cs.ts', to: 'plonkish/backend/prover.ts', spec: '../backend/prover.js' },
      { from: 'gadgets/relu.ts', to: 'pcs/kzg.ts', spec: '../pcs/kzg.js' },
      { from: 'poly/ntt.ts', to: 'curve/g1.ts', spec: '../curve/g1.js' },
    ]);
    expect(bad).toHaveLength(5);
  });
});
