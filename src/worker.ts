/**
 * The worker program of the pool (curve/worker-pool.ts): it serves every task
 * kind of the library — MSMs for commitments, the prover's quotient parts,
 * inverse NTTs and permutation chunk ratios. It sits above the layers (like the CLI, a program, not a
 * library module) because it imports task kinds from several of them; the
 * pool starts it by URL (curve/worker-platform.ts), never imports it.
 */
import { msmTask } from './curve/msm-pool.js';
import { serveTasks } from './curve/tasks.js';
import { interpolateTask } from './plonkish/backend/columns.js';
import { permutationRatioTask } from './plonkish/backend/permutation.js';
import { quotientPartTask } from './plonkish/backend/quotient.js';

serveTasks([msmTask, quotientPartTask, interpolateTask, permutationRatioTask]);
