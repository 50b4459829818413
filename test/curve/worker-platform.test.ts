/**
 * The pool's platforms: the library loads without Node built-ins (nothing
 * under src/ but the CLI imports `node:*`: worker_threads is obtained lazily),
 * Web Workers are started as module workers from the worker program's URL,
 * and a page's main thread (which may not block) gets no pool.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserPlatform, nodePlatform } from '../../src/curve/worker-platform.js';
import { WorkerPool } from '../../src/curve/worker-pool.js';

const SRC = resolve(__dirname, '../../src');
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });

afterEach(() => vi.unstubAllGlobals());

describe('worker platforms', () => {
  it('no module under src/ outside src/cli imports a node: built-in or uses require', () => {
    const bad = walk(SRC)
      .filter((f) => !relative(SRC, f).startsWith('cli'))
      .filter((f) => /(?:from\s+|import\s*\(?\s*)['"]node:|\brequire\(|createRequire/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(bad).toEqual([]);
  });

  it('Node: worker_threads is found lazily', () => {
    expect(nodePlatform()?.canBlock).toBe(true);
  });

  it('browser: module workers from the worker program URL; no pool on a page (no blocking), one in a dedicated worker', () => {
    const started: { url: string; options: unknown }[] = [];
    class FakeWorker {
      constructor(url: URL, options: unknown) {
        started.push({ url: url.href, options });
      }
      postMessage() {}
      terminate() {}
    }
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('document', {});
    const page = browserPlatform()!;
    expect(page.canBlock).toBe(false);
    expect(WorkerPool.create(2, { platform: page })).toBeUndefined();
    expect(started).toEqual([]);

    vi.stubGlobal('document', undefined);
    const inWorker = browserPlatform()!;
    expect(inWorker.canBlock).toBe(true);
    const pool = WorkerPool.create(2, { platform: inWorker })!;
    expect(pool.size).toBe(2);
    expect(started).toHaveLength(2);
    expect(started[0]!.url).toBe(new URL('../../src/worker.js', import.meta.url).href);
    expect(started[0]!.options).toEqual({ type: 'module' });
    const other = new URL('https://example.com/app/worker.js');
    inWorker.spawn(other);
    expect(started[2]!.url).toBe(other.href);
    pool.close();
  });
});
