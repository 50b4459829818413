/** Hashes the CLI's files are bound by: sha256 (hex) and canonical JSON (sorted keys), so equal statements hash equally. */
import { sha256 } from '@noble/hashes/sha2.js';

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const sha256Hex = (b: Uint8Array): string => hex(sha256(b));
export const sha256Bytes = (b: Uint8Array): Uint8Array => sha256(b);

/** JSON with object keys sorted and undefined members left out. */
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
