/**
 * Proving and verifying keys cached on disk, keyed by everything that
 * determines the circuit:
 *
 *   key = sha256(canonical JSON of { model identity (preset name, seed,
 *         config and tokens, or the model file's sha256 and dims; the weights
 *         file's sha256), visibility, quantization, fixed columns, k, the SRS
 *         id, the pk/vk encoding versions, and a fingerprint of the source
 *         that builds circuits (src/ less src/cli) })
 *
 *   <dir>/<key>.pk, <key>.vk, <key>.srs (an SRS with its Lagrange basis, keys.ts):
 *     "ZKTC" | version u32 | key (32 bytes) | sha256(payload) (32 bytes) | payload
 *   payload: encodePk (backend/pk.ts), encodeVk (backend/vk.ts) or halo2 params.
 *
 * A file that is missing, truncated, for another key, fails its checksum or
 * does not decode is a miss (with a note saying why): the caller recomputes
 * and overwrites it. Writes go to a temporary file renamed into place, so a
 * reader never sees half a key. The cache is trusted like the program
 * itself: whoever can write it can change which circuit `verify` checks.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { PK_VERSION } from '../plonkish/backend/pk.js';
import { VK_VERSION } from '../plonkish/backend/vk.js';

export const KEY_CACHE_VERSION = 1;
export const DEFAULT_CACHE_DIR = '.cache/keys';
const MAGIC = [0x5a, 0x4b, 0x54, 0x43]; // "ZKTC"
const HEADER = 4 + 4 + 32 + 32;

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const sha256Hex = (b: Uint8Array): string => hex(sha256(b));

/** JSON with object keys sorted (so equal statements hash equally). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

let fingerprint: string | undefined;

/**
 * sha256 over the TypeScript sources that build circuits and keys (every
 * .ts under src/ except src/cli), so an edited compiler or prover never
 * reuses an old key. Falls back to the package version where no sources ship.
 */
export function codeFingerprint(): string {
  if (fingerprint) return fingerprint;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!safeIsFile(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const src = join(dir, 'src');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (p !== join(src, 'cli')) walk(p);
      } else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  try {
    walk(src);
  } catch {
    files.length = 0;
  }
  const h = sha256.create();
  if (files.length === 0) h.update(new TextEncoder().encode(`package:${safeRead(join(dir, 'package.json'))}`));
  for (const f of files) {
    h.update(new TextEncoder().encode(`${f.slice(src.length)}\0`));
    h.update(readFileSync(f));
  }
  return (fingerprint = hex(h.digest()));
}

const safeIsFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const safeRead = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};

/** The cache key of a circuit statement (hex sha256). */
export function cacheKey(statement: Record<string, unknown>): string {
  const full = { ...statement, cache: KEY_CACHE_VERSION, pk: PK_VERSION, vk: VK_VERSION, code: codeFingerprint() };
  return sha256Hex(new TextEncoder().encode(canonicalJson(full)));
}

export type CacheKind = 'pk' | 'vk' | 'srs';

export type CacheLookup<T> = { readonly hit: true; readonly value: T; readonly path: string } | { readonly hit: false; readonly path: string; readonly note?: string };

export class KeyCache {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  path(key: string, kind: CacheKind): string {
    return join(this.dir, `${key}.${kind}`);
  }

  /** Read and check a cached key; `decode` turns the payload into a key (throws when it cannot). */
  load<T>(key: string, kind: CacheKind, decode: (payload: Uint8Array) => T): CacheLookup<T> {
    const path = this.path(key, kind);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? { hit: false, path } : { hit: false, path, note: `cannot read ${path} (${code ?? (e as Error).message})` };
    }
    const bad = (why: string): CacheLookup<T> => ({ hit: false, path, note: `cached ${kind} ${path} ${why}; recomputing` });
    if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) return bad('lacks the "ZKTC" header');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(4, true) !== KEY_CACHE_VERSION) return bad(`has version ${dv.getUint32(4, true)}, expected ${KEY_CACHE_VERSION}`);
    if (hex(bytes.subarray(8, 40)) !== key) return bad('belongs to another key');
    const payload = bytes.subarray(HEADER);
    if (hex(sha256(payload)) !== hex(bytes.subarray(40, 72))) return bad('is corrupt (checksum mismatch)');
    try {
      return { hit: true, value: decode(payload), path };
    } catch (e) {
      return bad(`does not decode (${(e as Error).message})`);
    }
  }

  /** Write (atomically) a key's payload. */
  store(key: string, kind: CacheKind, payload: Uint8Array): string {
    const path = this.path(key, kind);
    mkdirSync(this.dir, { recursive: true });
    const out = new Uint8Array(HEADER + payload.length);
    out.set(MAGIC, 0);
    new DataView(out.buffer).setUint32(4, KEY_CACHE_VERSION, true);
    out.set(Buffer.from(key, 'hex'), 8);
    out.set(sha256(payload), 40);
    out.set(payload, HEADER);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, path);
    return path;
  }
}
