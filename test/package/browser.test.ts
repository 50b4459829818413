/**
 * The library in the browser: (1) bundled for platform=browser, nothing on
 * the library path imports a Node built-in; (2) the browser example
 * (examples/browser, built and served by scripts/browser-example.mjs with
 * COOP/COEP) proves and verifies gpt2-tiny and the ONNX MLP in headless
 * Chromium, multi-threaded, and posts its outcome back to the server. The
 * same code timed under Node is printed beside it (docs/benchmarks.md).
 * Without a Chromium on PATH the browser case is skipped with a warning
 * (.ci/run installs Debian's chromium-headless-shell).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { delimiter, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { proveGpt2Tiny, type ProofRun } from '../../examples/browser/run.js';

const repo = resolve(__dirname, '../..');
const builtins = new Set(builtinModules);

/** Records every import of a Node built-in (node:x or a bare built-in name) with its importer. */
function nodeImports(found: string[]): Plugin {
  return {
    name: 'node-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (a) => {
        const bare = a.path.replace(/^node:/, '').split('/')[0]!;
        if (a.path.startsWith('node:') || (builtins.has(bare) && !a.path.startsWith('.'))) {
          found.push(`${a.path} (imported by ${a.importer.replace(`${repo}/`, '')})`);
          return { path: a.path, external: true };
        }
        return undefined;
      });
    },
  };
}

function findBrowser(): string | undefined {
  const names = ['chromium-headless-shell', 'chromium', 'chromium-browser', 'google-chrome'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  return undefined;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Resolves with the first stdout line of `child` matching `re` (rejects on exit or timeout). */
function waitLine(child: ChildProcess, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((ok, fail) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`no line matching ${re} within ${ms / 1000} s; output:\n${buffered.slice(-2000)}`)), ms);
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      for (const line of buffered.split('\n')) {
        const m = re.exec(line);
        if (m) {
          clearTimeout(timer);
          ok(m);
          return;
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`exited ${code} before a line matching ${re}; output:\n${buffered.slice(-2000)}`));
    });
  });
}

describe('browser', () => {
  it('the library bundles for platform=browser with no Node built-in import', async () => {
    const found: string[] = [];
    const entries = ['src/index.ts', 'src/models/index.ts', 'src/worker.ts'].map((f) => join(repo, f)).filter((f) => existsSync(f));
    await build({ entryPoints: entries, bundle: true, platform: 'browser', format: 'esm', write: false, outdir: 'out', logLevel: 'silent', plugins: [nodeImports(found)] });
    expect(found, `Node built-ins on the library path:\n${found.join('\n')}`).toEqual([]);
  }, 60_000);

  const browser = findBrowser();
  if (!browser) console.warn('warning: no chromium / chromium-headless-shell on PATH: the headless browser test is skipped');

  it.skipIf(!browser)('the example proves and verifies gpt2-tiny and the ONNX MLP in headless Chromium, multi-threaded', async () => {
    const server = spawn(process.execPath, [join(repo, 'scripts/browser-example.mjs'), '--port', '0', '--exit-on-result'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    const url = (await waitLine(server, /listening on (http:\/\/\S+)/, 60_000))[1]!;
    const result = waitLine(server, /^RESULT (.*)$/, 240_000);
    const chrome = spawn(browser!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--remote-debugging-port=0', `--user-data-dir=${join(repo, '.cache', 'chromium-test')}`, url], {
      stdio: 'ignore',
    });
    children.push(chrome);
    const outcome = JSON.parse((await result)[1]!) as { ok: boolean; isolated?: boolean; error?: string; runs?: ProofRun[] };
    chrome.kill('SIGKILL');
    expect(outcome.error).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(outcome.isolated).toBe(true);
    expect(outcome.runs!.map((r) => [r.model, r.ok])).toEqual([
      ['gpt2-tiny', true],
      ['mlp.onnx', true],
    ]);
    // the same proof under Node, for the comparison in docs/benchmarks.md
    const workers = outcome.runs![0]!.workers;
    const node = await proveGpt2Tiny('the', workers, () => undefined);
    expect(node.ok).toBe(true);
    const fmt = (r: ProofRun) => `keygen ${(r.keygenMs / 1000).toFixed(2)} s, prove ${(r.proveMs / 1000).toFixed(2)} s, verify ${(r.verifyMs / 1000).toFixed(2)} s`;
    console.log(`gpt2-tiny, ${workers + 1} threads — Chromium: ${fmt(outcome.runs![0]!)}; Node: ${fmt(node)}; mlp.onnx in Chromium: ${fmt(outcome.runs![1]!)}`);
    // the page shows the same outcome: proofs the size the Node run made
    expect(outcome.runs![0]!.proofBytes).toBe(node.proofBytes);
    expect(readFileSync(join(repo, 'examples/browser/dist/index.html'), 'utf8')).toContain('id="result"');
  }, 300_000);
});
