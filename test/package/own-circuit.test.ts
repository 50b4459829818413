/**
 * The "write your own circuit" example runs (proof accepted, tampered proof
 * and wrong claim rejected), and README.md shows exactly that code with the
 * package's import path, so neither can rot.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../examples/own-circuit.js';
import { ownCircuitAsUser } from './consumer.js';

const repo = resolve(__dirname, '../..');

describe('write your own circuit', () => {
  it('proves, verifies, and rejects a tampered proof and a wrong claim', () => {
    expect(main()).toEqual({ ok: true, tamperedRejected: true, wrongClaimRejected: true });
  });

  it('README shows the example verbatim', () => {
    const readme = readFileSync(resolve(repo, 'README.md'), 'utf8');
    const section = readme.split('## Write your own circuit')[1];
    expect(section, 'README.md: expected a "## Write your own circuit" section').toBeDefined();
    const block = /```ts\n([\s\S]*?)```/.exec(section!)?.[1];
    expect(block?.trimEnd()).toBe(ownCircuitAsUser(repo));
  });
});
