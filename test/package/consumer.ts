/**
 * A throw-away project that installs the packed tarball the way a user
 * would, but offline: its package-lock.json is cut from ours (the runtime
 * dependencies' entries, whose tarballs `npm ci` left in the npm cache), so
 * `npm ci --offline` needs no registry metadata — which `npm ci` never
 * caches, so a plain `npm install --offline <tarball>` fails on a fresh CI
 * machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  [key: string]: unknown;
}

interface Lockfile {
  name?: string;
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** The lock path node would load `name` from when required at `from` ('' = the root). */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/**
 * Our lockfile's entries reachable from the package's runtime dependencies
 * (dependencies, optional ones, non-optional peers), at the same paths:
 * the consumer installs zktensor at the top, so hoisted entries stay valid.
 */
export function runtimeClosure(lock: Lockfile): Record<string, LockEntry> {
  const root = lock.packages[''];
  if (!root) throw new Error('package-lock.json: no root entry ("")');
  const out: Record<string, LockEntry> = {};
  const queue: [from: string, name: string, optional: boolean][] = [];
  const enqueue = (from: string, e: LockEntry) => {
    for (const n of Object.keys(e.dependencies ?? {})) queue.push([from, n, false]);
    for (const n of Object.keys(e.optionalDependencies ?? {})) queue.push([from, n, true]);
    for (const n of Object.keys(e.peerDependencies ?? {})) queue.push([from, n, e.peerDependenciesMeta?.[n]?.optional === true]);
  };
  enqueue('', root);
  while (queue.length) {
    const [from, name, optional] = queue.shift()!;
    const at = resolveIn(lock.packages, from, name);
    if (!at) {
      if (optional) continue;
      throw new Error(`package-lock.json: runtime dependency ${name} (needed by ${from || 'the root'}) has no entry`);
    }
    if (out[at]) continue;
    const { dev: _dev, devOptional: _devOptional, ...entry } = lock.packages[at]!;
    out[at] = entry;
    enqueue(at, entry);
  }
  return out;
}

/** Writes `dir`/package.json and package-lock.json depending on the tarball, then `npm ci --offline`. */
export function installConsumer(dir: string, repo: string, tarball: string, env: NodeJS.ProcessEnv): void {
  const ours = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as LockEntry & { name: string; bin?: unknown; engines?: unknown; license?: string };
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as Lockfile;
  const spec = `file:${tarball}`;
  const pkg = { name: 'zktensor-consumer', version: '1.0.0', private: true, type: 'module', dependencies: { [ours.name]: spec } };
  const packages: Record<string, LockEntry> = {
    '': { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies },
    [`node_modules/${ours.name}`]: {
      version: ours.version,
      resolved: spec,
      license: ours.license,
      dependencies: ours.dependencies,
      optionalDependencies: ours.optionalDependencies,
      bin: ours.bin,
      engines: ours.engines,
    },
    ...runtimeClosure(lock),
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2));
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** examples/own-circuit.ts as a package user writes it: from the first import on, importing 'zktensor'. */
export function ownCircuitAsUser(repo: string): string {
  const source = readFileSync(join(repo, 'examples/own-circuit.ts'), 'utf8');
  const at = source.indexOf('import {');
  if (at < 0) throw new Error('examples/own-circuit.ts: expected an `import {` line');
  return source.slice(at).replace("from '../src/index.js'", "from 'zktensor'").trimEnd();
}
