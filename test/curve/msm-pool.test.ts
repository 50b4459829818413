/**
 * The worker pool and its MSM task kind: batches of MSMs on the library's
 * worker program equal the main-thread MSM; typed tasks run once each on
 * some thread with results read back in order; a failing task, a task kind
 * the program does not serve and a closed pool throw typed errors; where the
 * thread may not block (a browser page) there is no pool and `runTasks` gives
 * the same results here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Fr, packedFr } from '../../src/field/index.js';
import { mulberry32 } from '../../src/field/random.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { msm } from '../../src/curve/msm.js';
import { msmMany } from '../../src/curve/msm-pool.js';
import { runTasks, WorkerPool, WorkerPoolError } from '../../src/curve/worker-pool.js';
import { defineTask } from '../../src/curve/tasks.js';
import { failTask, fillTask, unservedTask } from './fixtures/pool-task.js';

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
const program = new URL('./fixtures/pool-worker.ts', import.meta.url);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);

describe('msmMany on the library worker program', () => {
  const params = new KzgParams(unsafeDevSrs(8, 'pool'));
  afterAll(() => params.free());

  it('gives the same points as the main-thread MSM, in order, for mixed scalar kinds', async () => {
    const pool = WorkerPool.create(1);
    expect(pool).toBeDefined();
    await pool!.ready();
    const vecs = Array.from({ length: 9 }, (_, j) => F.fromBigints(Array.from({ length: n }, (_, i) => kinds[j % kinds.length]!(i))));
    const bases = params.packedBases;
    const want = vecs.map((v) => msm(bases, v));
    expect(want[0]).toBeNull();
    // this thread pauses before each MSM it takes, so the worker surely computes some
    let here = 0;
    const slowed = { size: pool!.size, run: ((kind, payloads, options) => pool!.run(kind, payloads, { ...options, local: (i, out) => (here++, pause(), options!.local!(i, out)) })) as WorkerPool['run'] };
    expect(msmMany(slowed, 'monomial', bases, vecs)).toEqual(want);
    expect(here).toBeLessThan(vecs.length);
    // a second batch reuses the bases the worker already holds
    expect(msmMany(pool, 'monomial', bases, vecs.slice(1, 4))).toEqual(want.slice(1, 4));
    expect(msmMany(undefined, 'monomial', bases, vecs.slice(1, 4))).toEqual(want.slice(1, 4));
    pool!.close();
    expect(() => msmMany(pool, 'monomial', bases, vecs)).toThrow(WorkerPoolError);
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
});

describe('WorkerPool with typed task kinds', () => {
  it('every task runs once, on the worker or here, results in order; failures and unserved kinds throw', async () => {
    const pool = WorkerPool.create(1, { program })!;
    await pool.ready();
    const payloads = Array.from({ length: 6 }, (_, i) => ({ value: i + 1, size: 16 + i }));
    const started: number[] = [];
    const here: number[] = [];
    const got = pool.run(fillTask, payloads, {
      local: (i, out) => {
        here.push(i);
        pause();
        fillTask.run(payloads[i]!, out);
      },
      onStart: (i) => started.push(i),
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(got).toEqual([[1], [2], [3], [4], [5], [6]]);
    // the worker took some of the tasks while this thread paused
    expect(here.length).toBeLessThan(payloads.length);
    expect(pool.run(fillTask, [])).toEqual([]);
    // the same results with no pool
    expect(runTasks(undefined, fillTask, payloads)).toEqual(got);

    expect(() => pool.run(failTask, [{}, {}, {}], { local: pause })).toThrow(/a worker failed: task "test.fail" #\d: this task always fails/);
    expect(() => pool.run(fillTask, payloads)).toThrow(/closed/);

    const other = WorkerPool.create(1, { program })!;
    expect(() => other.run(unservedTask, [{}, {}], { local: pause })).toThrow(/serves no task "test.unserved" \(it serves test.fill, test.fail\)/);
    other.close();
  }, 60_000);

  it('no pool where the thread may not block (a browser page) or with no workers; names are checked', () => {
    let spawned = 0;
    const page = { name: 'page', canBlock: false, spawn: () => (spawned++, { postMessage() {}, terminate() {} }) };
    expect(WorkerPool.create(2, { platform: page })).toBeUndefined();
    expect(WorkerPool.create(0)).toBeUndefined();
    expect(spawned).toBe(0);
    expect(() => defineTask('no spaces', { run() {} })).toThrow(WorkerPoolError);
  });
});
