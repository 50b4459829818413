/** What the commands share: their I/O, progress hooks, `--workers`, `--visibility`. */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_VISIBILITY, type Visibility, type VisibilitySpec } from '../models/index.js';
import { PrivateWeightsError, UsageError } from './errors.js';
import type { ProgressHook, ProgressSink } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Where progress goes (stderr by default); none: no progress. */
  readonly progress?: ProgressSink;
}

/** A progress hook as keygen's / prove's `onStep`. */
export const steps = (hook: ProgressHook) => (step: string, done: number, total: number) => hook(done, total, step);

/** `--workers N` (MSM worker threads beside the main thread), default: one per spare core, at most 3. */
export function workerCount(raw: string | undefined): number {
  if (raw === undefined) return Math.max(0, Math.min(3, availableParallelism() - 1));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError(`--workers: expected an integer in 0…64, got "${raw}"`);
  return n;
}

const ROLES = ['input', 'weights', 'output'];
const KINDS = ['public', 'private', 'fixed', 'committed'];

/** The CLI's default: weights committed (statement.ts falls back to fixed for a model without weight matrices). */
export const CLI_VISIBILITY: VisibilitySpec = { ...DEFAULT_VISIBILITY, weights: 'committed' };

/** Whether `--visibility` names the weights (else they take the default, which may fall back). */
export const namesWeights = (raw: string | undefined): boolean => !!raw && raw.split(',').some((p) => p.split('=')[0] === 'weights');

/**
 * `--visibility input=public,weights=committed,output=public` (unnamed roles
 * keep the default). weights=private is refused: see PrivateWeightsError.
 */
export function parseVisibility(raw: string | undefined): VisibilitySpec {
  const out: Record<string, Visibility> = { ...CLI_VISIBILITY };
  for (const part of raw ? raw.split(',') : []) {
    const [role, vis] = part.split('=');
    if (!role || !ROLES.includes(role) || !KINDS.includes(vis ?? '')) {
      throw new UsageError(`--visibility: expected role=vis with role input|weights|output and vis public|private|fixed|committed, got "${part}"`);
    }
    out[role] = vis as Visibility;
  }
  const spec: VisibilitySpec = { input: out['input']!, weights: out['weights']!, output: out['output']! };
  if (spec.weights === 'private') throw new PrivateWeightsError();
  for (const role of ['input', 'output'] as const) {
    if (spec[role] === 'committed') throw new UsageError(`--visibility: ${role}=committed: only weights can be committed; use ${role}=public or ${role}=private`);
  }
  // a fixed input or output would be baked into the keys, but setup has no input to bake
  for (const role of ['input', 'output'] as const) {
    if (spec[role] === 'fixed') throw new UsageError(`--visibility: ${role}=fixed would put one ${role} into the keys, and setup is made for every input; use ${role}=public or ${role}=private`);
  }
  return spec;
}

export const visibilityText = (v: VisibilitySpec): string => `input=${v.input}, weights=${v.weights}, output=${v.output}`;

/**
 * A full garbage collection of this thread (V8's gc, enabled at run time),
 * or nothing where that fails. Called between the segments of a split
 * proof: each leaves gigabytes of dead column buffers that the next one
 * would otherwise stack on top of (peak memory, not correctness).
 */
export const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : () => {};
  } catch {
    return () => {};
  }
})();
