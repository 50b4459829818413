/**
 * The committed cost snapshot (`cost-snapshot.json`): rows, columns, lookups
 * and degree per gadget at a fixed small size. A test compares exactly, so
 * a change in cost fails CI until the snapshot is updated on purpose:
 * run with ZKT_UPDATE_COST=1, collect the printed `COST` lines and paste
 * them into the JSON (`node test/gadgets/update-cost.mjs` does it).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { CostEntry } from './harness.js';

const SNAPSHOT = new URL('./cost-snapshot.json', import.meta.url);

export function expectCost(name: string, entry: CostEntry): void {
  if (process.env.ZKT_UPDATE_COST) {
    console.log(`COST ${JSON.stringify({ [name]: entry })}`);
    return;
  }
  const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, CostEntry>;
  expect(entry, `cost of ${name} changed; update test/gadgets/cost-snapshot.json on purpose`).toEqual(snapshot[name]);
}
