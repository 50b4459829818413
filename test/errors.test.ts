/**
 * One error base: every error class the library exports derives from
 * ZkTensorError, so a caller can tell our typed errors from bugs with one
 * instanceof. The scan covers every src module, so a new `extends Error`
 * anywhere fails here.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZkTensorError } from '../src/field/errors.js';

const SRC = resolve(__dirname, '../src');
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });

describe('error classes', () => {
  it('only ZkTensorError extends the built-in Error', () => {
    const direct = walk(SRC).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/class\s+(\w+)\s+extends\s+Error\b/g)].map((m) => `${f}: ${m[1]}`),
    );
    expect(direct).toEqual([expect.stringMatching(/field[\\/]errors\.ts: ZkTensorError$/)]);
  });

  it('every exported error class is a ZkTensorError', async () => {
    const modules = await Promise.all(
      walk(SRC)
        .filter((f) => !/worker/.test(f))
        .map((f) => import(f)),
    );
    const classes = new Map<string, Function>();
    for (const m of modules) {
      for (const [name, value] of Object.entries(m as Record<string, unknown>)) {
        if (typeof value === 'function' && /Error$/.test(name)) classes.set(name, value as Function);
      }
    }
    expect(classes.size).toBeGreaterThan(10);
    for (const [name, cls] of classes) {
      expect(cls === ZkTensorError || cls.prototype instanceof ZkTensorError, name).toBe(true);
    }
  });
});
