/**
 * The package as a user gets it: `npm pack` (prepack builds dist/), the
 * tarball installed offline into a project in a temp folder, every entry
 * point imported from plain JavaScript and type-checked from strict
 * TypeScript, and the installed `zktensor` bin proving and verifying from
 * that other folder with a worker thread — no tsx, no sources, no repo
 * node_modules in reach.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConsumer, ownCircuitAsUser } from './consumer.js';

const repo = resolve(__dirname, '../..');
const here = resolve(__dirname, 'consumer');
let tmp = '';
let app = '';
let files: string[] = [];

/** A clean environment: nothing from vitest or tsx leaks into the children. */
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), CI: 'true', npm_config_cache: process.env.npm_config_cache };

function zktensor(args: string[]): SpawnSyncReturns<string> {
  const bin = join(app, 'node_modules', '.bin', 'zktensor');
  return spawnSync(bin, args, { cwd: app, env, encoding: 'utf8', timeout: 150_000 });
}

const explain = (r: SpawnSyncReturns<string>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`.slice(-4000);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'zktensor-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', tmp, '--loglevel=error'], { cwd: repo, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as { filename: string; files: { path: string }[] }[];
  const info = packed[0]!;
  files = info.files.map((f) => f.path);
  app = join(tmp, 'app');
  mkdirSync(app);
  installConsumer(app, repo, join(tmp, info.filename), env);
  copyFileSync(join(here, 'exports.mjs'), join(app, 'exports.mjs'));
  // kept as .ts.in in the repo: our own typecheck would resolve 'zktensor' to a dist/ not built yet
  copyFileSync(join(here, 'check.ts.in'), join(app, 'check.ts'));
  writeFileSync(join(app, 'own-circuit.ts'), `${ownCircuitAsUser(repo)}\n`);
  copyFileSync(join(repo, 'test/fixtures/onnx/mlp.onnx'), join(app, 'mlp.onnx'));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack → install in another folder', () => {
  it('the tarball holds the build, the bin and the license, not the sources', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; import: string }> };
    for (const target of Object.values(pkg.exports)) {
      const paths = typeof target === 'string' ? [target] : [target.types, target.import];
      for (const p of paths) expect(files).toContain(p.replace(/^\.\//, ''));
    }
    expect(files).toContain('bin/zktensor.mjs');
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => /^(src|test|bench)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    // modules loaded by URL at run time (the worker program) must ship too:
    // every new URL('./x.js' | '../x.js', import.meta.url) in the build names a packed file
    const byUrl = files
      .filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
      .flatMap((f) =>
        [...readFileSync(join(repo, f), 'utf8').matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+\.js)['"]\s*,\s*import\.meta\.url/g)].map((m) =>
          posix.normalize(posix.join(posix.dirname(f), m[1]!)),
        ),
      );
    expect(byUrl.length).toBeGreaterThan(0);
    for (const target of byUrl) expect(files).toContain(target);
  });

  it('every entry point imports from an .mjs file and does real work', () => {
    const r = spawnSync(process.execPath, ['exports.mjs'], { cwd: app, env, encoding: 'utf8' });
    expect(r.status, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/^ok: 9 entry points/);
  });

  it('the installed declarations type-check under tsc --strict, with the README\'s own-circuit example', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          // onnx-proto's declarations (reached through parseOnnx's types) use
          // protobufjs's global `Long` from @types/long, installed with it
          types: ['node', 'long'],
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['check.ts', 'own-circuit.ts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, env, encoding: 'utf8' });
    expect(r.status, explain(r)).toBe(0);
  });

  it('the installed bin proves and verifies gpt2-tiny from that folder with a worker thread', () => {
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    // the CLI grew a separate `setup` step; use whichever form this build speaks
    const usage = zktensor(['--help']);
    const staged = /zktensor setup/.test(usage.stdout + usage.stderr);
    if (staged) {
      const s = zktensor(['setup', '--model', 'gpt2-tiny', '--tokens', '3', '--out', 'keys', '--quiet']);
      expect(s.status, explain(s)).toBe(0);
    }
    const proveArgs = staged ? ['prove', '--setup', 'keys'] : ['prove', '--model', 'gpt2-tiny'];
    const p = zktensor([...proveArgs, '--input', 'the', '--out', 'proof.json', '--workers', '1', '--quiet']);
    expect(p.status, explain(p)).toBe(0);
    const verifyArgs = staged ? ['verify', '--vk', 'keys/vk.bin'] : ['verify'];
    const v = zktensor([...verifyArgs, 'proof.json', '--quiet']);
    expect(v.status, explain(v)).toBe(0);

    // a flipped proof byte is rejected (exit 1), a missing file is a usage error (exit 2)
    const file = JSON.parse(readFileSync(join(app, 'proof.json'), 'utf8')) as { proof: string };
    const bytes = Buffer.from(file.proof, 'base64');
    const mid = bytes.length >> 1;
    bytes[mid] = (bytes[mid] ?? 0) ^ 1;
    writeFileSync(join(app, 'bad.json'), JSON.stringify({ ...file, proof: bytes.toString('base64') }));
    const bad = zktensor([...verifyArgs, 'bad.json', '--quiet']);
    expect(bad.status, explain(bad)).toBe(1);
    const missing = zktensor([...verifyArgs, 'nope.json', '--quiet']);
    expect(missing.status, explain(missing)).toBe(2);
  }, 300_000);
});
