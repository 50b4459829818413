/**
 * The CLI: prove → verify round trip on gpt2-tiny (real prover, k = 11),
 * a tampered proof and a tampered public output are rejected (exit 1),
 * malformed input exits 2 with a message naming the problem, `info` prints
 * gpt2-small's cost without proving, and the bin launcher runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { Fr } from '../../src/field/bn254.js';
import { nobleMsm } from '../../src/poly/curve.js';
import { readHalo2Params } from '../../src/poly/srs.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-cli-'));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('zktensor prove / verify (gpt2-tiny)', () => {
  const proofPath = join(dir, 'proof.json');
  let proved: { code: number; out: string; err: string };
  beforeAll(async () => {
    proved = await cli('prove', '--model', 'gpt2-tiny', '--input', 'th', '--out', proofPath, '--json');
  }, 180_000);

  it('proves and verifies', async () => {
    expect(proved.err).toBe('');
    expect(proved.code).toBe(0);
    const summary = JSON.parse(proved.out);
    expect(summary).toMatchObject({ ok: true, model: 'gpt2-tiny', tokens: 2, k: 11 });
    const v = await cli('verify', proofPath, '--json');
    expect(v.code).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, next: summary.next });
  });

  it('a tampered proof is rejected with exit code 1', async () => {
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    const bytes = Buffer.from(file.proof, 'base64');
    bytes[bytes.length >> 1] ^= 1;
    const bad = join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify({ ...file, proof: bytes.toString('base64') }));
    const v = await cli('verify', bad, '--trust-vk');
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/REJECTED/);
  });

  it('a changed public output is rejected with exit code 1', async () => {
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    const inst = [...file.instances[0]];
    inst[inst.length - 1] = String(BigInt(inst[inst.length - 1]) + 1n);
    const bad = join(dir, 'output.json');
    writeFileSync(bad, JSON.stringify({ ...file, instances: [inst] }));
    expect((await cli('verify', bad, '--trust-vk')).code).toBe(1);
  });
});

describe('zktensor errors (exit 2)', () => {
  it.each([
    [['prove', '--model', 'gpt2-tiny', '--input', '[1, 2,'], /input: invalid JSON/],
    [['prove', '--model', 'gpt2-tiny', '--input', 'th%'], /character "%" at position 2 is not in the gpt2-tiny vocabulary/],
    [['prove', '--model', 'gpt2-tiny', '--input', '[1, 99]'], /token 1 = 99 is not an id in \[0, 16\)/],
    [['prove', '--model', 'gpt2-tiny', '--input', 'the moon'], /8 tokens exceed the context of gpt2-tiny \(4\)/],
    [['prove', '--model', 'gpt9', '--input', 'the'], /unknown model "gpt9"/],
    [['prove', '--input', 'the'], /missing --model/],
    [['verify', join(dir, 'missing.json')], /cannot read .*missing\.json \(ENOENT\)/],
    [['verify'], /expected the proof file/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j', async (argv, message) => {
    const r = await cli(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
  });

  it('a malformed proof file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "zktensor-proof", "version": 1}');
    const r = await cli('verify', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/proof file: expected "model"/);
  });
});

describe('zktensor info / srs', () => {
  it('info --model gpt2-small prints the full GPT-2 cost without proving', async () => {
    const r = await cli('info', '--model', 'gpt2-small', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info).toMatchObject({ model: 'gpt2-small', tokens: 1024, parameters: 124439808 });
    expect(info.rows).toBeGreaterThan(1e8);
    const text = await cli('info', '--model', 'nanogpt', '--tokens', '8');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/rows: \d+ .* → k = \d+/);
  });

  it('srs writes a halo2 params file whose Lagrange points sum to [1]₁', async () => {
    const out = join(dir, 'srs.params');
    const r = await cli('srs', '--k', '3', '--out', out);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const srs = readHalo2Params(new Uint8Array(readFileSync(out)));
    expect(srs.k).toBe(3);
    // Σ_i ℓ_i(τ) = 1, and ℓ_i(τ)·ω^i sums to τ
    expect(nobleMsm(srs.g1Lagrange!, srs.g1Lagrange!.map(() => 1n))).toEqual(srs.g1[0]);
    const w = Fr.rootOfUnityOfOrder(3);
    expect(nobleMsm(srs.g1Lagrange!, srs.g1Lagrange!.map((_, i) => Fr.pow(w, BigInt(i))))).toEqual(srs.g1[1]);
  });

  it('the bin launcher exits 2 on malformed input', () => {
    const bin = resolve(__dirname, '../../bin/zktensor.mjs');
    const r = spawnSync(process.execPath, [bin, 'prove', '--model', 'gpt2-tiny', '--input', '{"tokens": "x"}'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/input: expected a non-empty array of token ids/);
  });
});
