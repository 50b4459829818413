/**
 * How a platform starts the worker program and whether the calling thread
 * may block — the small interface the pool (worker-pool.ts) needs:
 *
 * - Node: `worker_threads`, obtained lazily through `process.getBuiltinModule`
 *   (no `node:` import at module top, so the library also loads in a browser).
 *   The program is located next to this module's build: dist/worker.js when
 *   installed (from any cwd), src/worker.ts under vitest/tsx (the worker then
 *   registers tsx's loader before importing it).
 * - Browser: module Web Workers. Atomics.wait is not allowed on a page's main
 *   thread, so there the platform reports `canBlock: false` and the pool is not
 *   created (the prover stays sequential). Inside a dedicated Worker — where a
 *   prover that wants threads should run — it may block, and spawns sub-workers.
 *
 * The `new Worker(new URL('../worker.js', import.meta.url), …)` form is the
 * one bundlers (webpack 5, Vite, Parcel) recognise: they bundle the program
 * as a worker chunk.
 */
import type { PoolMessage } from './tasks.js';

/** A started worker: the pool posts messages to it and terminates it. */
export interface WorkerPort {
  postMessage(message: PoolMessage): void;
  terminate(): void;
}

export interface WorkerPlatform {
  readonly name: string;
  /** Whether this thread may wait with Atomics.wait. */
  readonly canBlock: boolean;
  /** Start the worker program at `url` (default: the library's, src/worker.ts). */
  spawn(url?: URL): WorkerPort;
}

interface NodeWorkerThreads {
  Worker: new (url: URL | string, options: { eval?: boolean }) => { postMessage(m: unknown): void; terminate(): Promise<number>; unref(): void };
  isMainThread: boolean;
}

/** The library's worker program, from this module's location (.ts under tsx/vitest, .js built). */
function defaultNodeUrl(): URL {
  const url = new URL('../worker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL('../worker.ts', import.meta.url) : url;
}

/**
 * tsx's loader API as a URL resolved from this package (an eval'd worker
 * resolves bare names from the cwd, which may be any folder); the bare name
 * where import.meta.resolve is missing (vitest, whose cwd is the checkout).
 */
function tsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return 'tsx/esm/api';
  }
}

/** Node's worker_threads, or undefined where there are none. */
export function nodePlatform(): WorkerPlatform | undefined {
  const wt = globalThis.process?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined;
  if (!wt?.Worker) return undefined;
  const Worker = wt.Worker;
  return {
    name: 'node',
    canBlock: true,
    spawn(url = defaultNodeUrl()) {
      // TypeScript sources (tests, tsx) need tsx's loader in the worker before the program loads
      const boot = `import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
      const w = url.pathname.endsWith('.ts') ? new Worker(boot, { eval: true }) : new Worker(url, {});
      // idle workers must not keep the process alive
      w.unref();
      return { postMessage: (m) => w.postMessage(m), terminate: () => void w.terminate() };
    },
  };
}

type WebWorker = { postMessage(m: unknown): void; terminate(): void };
type WebWorkerCtor = new (url: URL, options: { type: 'module' }) => WebWorker;

/** Module Web Workers, or undefined where there are none. */
export function browserPlatform(): WorkerPlatform | undefined {
  const g = globalThis as unknown as { Worker?: WebWorkerCtor; document?: unknown };
  const Worker = g.Worker;
  if (typeof Worker !== 'function') return undefined;
  return {
    name: 'browser',
    // a page's main thread has a document and may not block; a dedicated worker may
    canBlock: g.document === undefined,
    spawn(url) {
      const w = url ? new Worker(url, { type: 'module' }) : new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
      return { postMessage: (m) => w.postMessage(m), terminate: () => w.terminate() };
    },
  };
}

/** This runtime's platform: Node's worker_threads, else Web Workers, else none. */
export function currentPlatform(): WorkerPlatform | undefined {
  return nodePlatform() ?? browserPlatform();
}
