/**
 * npm run --silent bench -- <suite> [--json] [--quick]
 * Suites live in bench/suites/<suite>.ts and export `suite: Suite`.
 */
import { cpus } from 'node:os';
import type { BenchRow, Suite } from './lib.js';

const SUITE_NAMES = ['field', 'ntt', 'msm', 'prove', 'models'];
const load = (name: string): Promise<{ suite: Suite }> => import(`./suites/${name}.js`);

function table(rows: BenchRow[]): string {
  const lines = ['case            impl          size        median          min           max   ratio(zktensor/impl)'];
  for (const r of rows) {
    const ours = rows.find((o) => o.case === r.case && o.size === r.size && o.impl === 'zktensor');
    const ratio = ours && r.impl !== 'zktensor' ? (ours.median_ns / r.median_ns).toFixed(3) : '';
    const fmt = (ns: number | undefined) => (ns === undefined ? '' : ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${ns.toFixed(1)} ns`);
    lines.push(
      `${r.case.padEnd(15)} ${r.impl.padEnd(13)} ${String(r.size).padStart(8)} ${fmt(r.median_ns).padStart(13)} ${fmt(r.min_ns).padStart(13)} ${fmt(r.max_ns).padStart(13)}   ${ratio}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--'));
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  if (!name || !SUITE_NAMES.includes(name)) {
    process.stderr.write(`usage: npm run --silent bench -- <${SUITE_NAMES.join('|')}> [--json] [--quick]\n`);
    process.exit(2);
  }
  const { suite } = await load(name);
  const results = await suite({ quick });
  if (json) {
    process.stdout.write(`${JSON.stringify({ suite: name, node: process.version, cpus: cpus().length, results }, null, 2)}\n`);
  } else {
    process.stdout.write(`suite ${name} (node ${process.version}, ${cpus().length} cpus)\n${table(results)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
