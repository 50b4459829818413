export * from './types.js';
export { packedG1, G1AffineVec, PackedG1 } from './g1.js';
export { msm } from './msm.js';
export { msmMany, msmTask, type MsmPayload } from './msm-pool.js';
export { defineTask, serveTasks, WorkerPoolError, type TaskKind, type TaskSpec } from './tasks.js';
export { runTasks, WorkerPool, type RunOptions, type TaskRunner, type WorkerPoolOptions } from './worker-pool.js';
export { browserPlatform, currentPlatform, nodePlatform, type WorkerPlatform, type WorkerPort } from './worker-platform.js';
