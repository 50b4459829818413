import { describe, expect, it } from 'vitest';
import { chipWork, getPreset, inferShapes, planReplicas, presetGraph } from '../../src/models/index.js';

describe('chip replicas', () => {
  it('small models keep one replica per chip', () => {
    const g = presetGraph(getPreset('gpt2-tiny'), 4);
    const plan = planReplicas(g.nodes, inferShapes(g));
    expect([...plan.counts.values()].every((r) => r === 1)).toBe(true);
    g.nodes.forEach((n, i) => chipWork(n, inferShapes(g)).forEach(([key]) => expect(plan.replica(i, key)).toBe(0)));
  });

  it('nanogpt: every replica fits the target, work is dealt largest first to the least loaded (deterministic)', () => {
    const g = presetGraph(getPreset('nanogpt'), 64);
    const info = inferShapes(g);
    const plan = planReplicas(g.nodes, info);
    expect(plan.targetRows).toBe(2 ** 16 - 64);
    expect(plan.counts.get('matmul')).toBeGreaterThan(1);
    // recompute each replica's load from the assignment: none exceeds the target, and the sum is all the work
    const loads = new Map<string, number>();
    let total = 0;
    g.nodes.forEach((n, i) =>
      chipWork(n, info).forEach(([key, rows]) => {
        const r = plan.replica(i, key);
        expect(r).toBeLessThan(plan.counts.get(key) ?? 1);
        loads.set(`${key}#${r}`, (loads.get(`${key}#${r}`) ?? 0) + rows);
        total += rows;
      }),
    );
    expect([...loads.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...loads.values())).toBeLessThanOrEqual(plan.targetRows);
    expect(Math.max(...loads.values())).toBe(plan.maxLoad);
    // the fewest replicas that fit: one fewer would overflow on average
    for (const [key, r] of plan.counts) {
      const keyTotal = [...loads].filter(([k]) => k.startsWith(`${key}#`)).reduce((a, [, v]) => a + v, 0);
      if (r > 1) expect(keyTotal).toBeGreaterThan((r - 2) * plan.targetRows);
    }
    const again = planReplicas(g.nodes, info);
    g.nodes.forEach((n, i) => chipWork(n, info).forEach(([key]) => expect(again.replica(i, key)).toBe(plan.replica(i, key))));
  });

  it('a piece of work larger than 2^16 rows raises the target to the next power of two', () => {
    const g = presetGraph(getPreset('gpt2-small'), 256);
    const plan = planReplicas(g.nodes, inferShapes(g));
    expect(plan.targetRows).toBeGreaterThan(2 ** 16);
    expect(Math.log2(plan.targetRows + 64) % 1).toBe(0);
  });
});
