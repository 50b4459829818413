#!/usr/bin/env node
// Builds examples/browser/ with esbuild into examples/browser/dist/ and serves
// it with the headers that make the page cross-origin isolated (COOP/COEP),
// which browsers require before they hand out SharedArrayBuffer — without
// them the example still proves, on one thread.
//
//   node scripts/browser-example.mjs [--port N] [--build-only] [--no-isolation] [--exit-on-result]
//
// The page POSTs its outcome to /result; it is printed as one `RESULT {json}`
// line (and with --exit-on-result the server then stops: the headless test).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'browser');
const out = join(example, 'dist');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : 8080;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`browser-example: expected --port 0…65535, got ${args[portAt + 1]}\n`);
  process.exit(2);
}

async function bundle() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'app'), { recursive: true });
  // The pool spawns its worker program at new URL('../worker.js', import.meta.url)
  // of the module that holds it — here the prover bundle app/prover.js — so the
  // program goes to worker.js one level up.
  const entries = [
    { in: join(example, 'main.ts'), out: 'main' },
    { in: join(example, 'prover-worker.ts'), out: 'app/prover' },
    { in: join(root, 'src', 'worker.ts'), out: 'worker' },
  ].filter((e) => existsSync(e.in));
  await build({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
  copyFileSync(join(example, 'index.html'), join(out, 'index.html'));
  for (const f of ['mlp.onnx', 'mlp.json']) copyFileSync(join(root, 'test', 'fixtures', 'onnx', f), join(out, f));
  const sizes = entries.map((e) => {
    const bytes = readFileSync(join(out, `${e.out}.js`));
    return `${e.out}.js ${(bytes.length / 1024).toFixed(0)} KiB (${(gzipSync(bytes).length / 1024).toFixed(0)} KiB gzipped)`;
  });
  process.stdout.write(`built ${out}: ${sizes.join(', ')}\n`);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.onnx': 'application/octet-stream' };

function serve() {
  const server = createServer((req, res) => {
    if (!flag('no-isolation')) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'POST' && path === '/result') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(204).end();
        process.stdout.write(`RESULT ${Buffer.concat(chunks).toString('utf8').replace(/\s*\n\s*/g, ' ')}\n`);
        if (flag('exit-on-result')) server.close(() => process.exit(0));
      });
      return;
    }
    const file = normalize(join(out, path === '/' ? 'index.html' : path));
    if (req.method !== 'GET' || !file.startsWith(out + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  server.listen(port, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`listening on http://127.0.0.1:${addr.port}/ (${flag('no-isolation') ? 'not ' : ''}cross-origin isolated)\n`);
  });
}

await bundle();
if (!flag('build-only')) serve();
