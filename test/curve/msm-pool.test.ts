import { afterAll, describe, expect, it } from 'vitest';
import { Fr, packedFr } from '../../src/field/index.js';
import { mulberry32 } from '../../src/field/random.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { msm } from '../../src/curve/msm.js';
import { MsmPool } from '../../src/curve/msm-pool.js';

const F = packedFr();
const rng = mulberry32(99);
const n = 256;
const kinds: ((i: number) => bigint)[] = [
  () => 0n,
  () => Fr.random(rng),
  (i) => Fr.fromSigned(BigInt((i * 7919) % 2001) - 1000n),
  (i) => BigInt(i % 2),
  (i) => (i === 3 ? Fr.random(rng) : 0n),
];

describe('MsmPool (worker threads)', () => {
  const params = new KzgParams(unsafeDevSrs(8, 'pool'));
  afterAll(() => params.free());

  it('gives the same points as the main-thread MSM, in order, for mixed scalar kinds', () => {
    const pool = MsmPool.create(1);
    expect(pool).toBeDefined();
    const vecs = Array.from({ length: 9 }, (_, j) => F.fromBigints(Array.from({ length: n }, (_, i) => kinds[j % kinds.length]!(i))));
    const bases = params.packedBases;
    const want = vecs.map((v) => msm(bases, v));
    expect(want[0]).toBeNull();
    expect(pool!.msmMany('monomial', bases, vecs)).toEqual(want);
    // a second batch reuses the bases the worker already holds
    expect(pool!.msmMany('monomial', bases, vecs.slice(1, 4))).toEqual(want.slice(1, 4));
    pool!.close();
    expect(() => pool!.msmMany('monomial', bases, vecs)).toThrow(/closed/);
    vecs.forEach((v) => v.free());
  }, 60_000);

  it('KzgParams.useWorkers: commitLagrangeMany equals commitLagrange column by column', () => {
    const p = new KzgParams(unsafeDevSrs(8, 'pool')).useWorkers(1);
    const vecs = Array.from({ length: 5 }, (_, j) => F.fromBigints(Array.from({ length: n }, (_, i) => kinds[j]!(i))));
    expect(p.commitLagrangeMany(vecs)).toEqual(vecs.map((v) => params.commitLagrange(v)));
    expect(() => p.commitLagrangeMany([vecs[0]!, F.alloc(128)])).toThrow(/equal length/);
    vecs.forEach((v) => v.free());
    p.free();
  }, 60_000);

  it('runTasks: every job runs once, on a worker or here, and a failing task throws', () => {
    const pool = MsmPool.create(1)!;
    const module = new URL('./fixtures/pool-task.ts', import.meta.url).href;
    const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    // an MSM batch first: the worker is up before the tasks start
    const vecs = [F.fromBigints([1n, 2n]), F.fromBigints([3n, 4n])];
    pool.msmMany('tiny', params.packedBases.slice(0, 2), vecs);
    vecs.forEach((v) => v.free());
    const outs = Array.from({ length: 6 }, () => new Uint8Array(new SharedArrayBuffer(16)));
    const started: number[] = [];
    const here: number[] = [];
    pool.runTasks(
      outs.length,
      (i) => ({ module, fn: 'fill', payload: { out: outs[i], value: i + 1 } }),
      (i) => {
        here.push(i);
        pause();
        outs[i]!.fill(i + 1);
      },
      (i) => started.push(i),
    );
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(outs.map((o) => [...new Set(o)])).toEqual([[1], [2], [3], [4], [5], [6]]);
    // the worker took some of the jobs while this thread paused
    expect(here.length).toBeLessThan(outs.length);
    expect(() => pool.runTasks(3, () => ({ module, fn: 'fail', payload: {} }), pause)).toThrow(/worker failed/);
    expect(() => pool.runTasks(1, () => ({ module, fn: 'fill', payload: {} }), () => {})).toThrow(/closed/);
  }, 60_000);
});
