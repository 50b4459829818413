/**
 * The CLI end to end (real prover), besides the statement tests:
 *  - ONNX (mlp.onnx): setup calibrates on a file, prove, and verify with
 *    the model file gone (the verifier needs only vk.bin + settings.json);
 *    an input outside the calibrated range names the tensor; cnn.onnx's
 *    symbolic-free path; bad input JSON names the input and its shape;
 *  - usage: no arguments, --version, per-command --help, unknown options,
 *    a missing --input file, a model too big for the machine (exit 2);
 *  - info (gpt2-small's cost), srs, bench, the bin launcher.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import { nobleMsm } from '../../src/curve/curve.js';
import { readHalo2Params } from '../../src/pcs/srs.js';
import { estimateCost, getPreset, compileModel, presetGraph, presetQuant } from '../../src/models/index.js';
import { checkFits } from '../../src/cli/resources.js';
import { TooLargeError } from '../../src/cli/errors.js';
import { cli, json } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-cli-'));
const fixtures = resolve(__dirname, '../fixtures/onnx');
const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };

describe('zktensor setup / prove / verify: ONNX (mlp.onnx)', () => {
  const model = join(dir, 'mlp.onnx');
  const keys = join(dir, 'mlp-keys');
  const proofPath = join(dir, 'mlp-proof.json');
  let setup: Awaited<ReturnType<typeof cli>>;
  let proved: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    copyFileSync(join(fixtures, 'mlp.onnx'), model);
    setup = await cli('setup', '--model', model, '--calibration', join(fixtures, 'mlp.json'), '--out', keys, '--json');
    proved = await cli('prove', '--setup', keys, '--input', join(fixtures, 'mlp.json'), '--out', proofPath, '--json');
  }, 120_000);

  it('setup records the model by path and sha256 and the calibration; prove reports the outputs', () => {
    expect(setup.code, setup.err).toBe(0);
    expect(setup.progress).toMatch(/\[keygen\] 3\/5 done in/);
    const s = JSON.parse(readFileSync(join(keys, 'settings.json'), 'utf8'));
    expect(s.model).toMatchObject({ kind: 'onnx', path: '../mlp.onnx', dims: {} });
    expect(s.calibration).toMatchObject({ source: join(fixtures, 'mlp.json'), samples: 1 });
    expect(proved.code, proved.err).toBe(0);
    const ref = JSON.parse(readFileSync(join(fixtures, 'mlp.json'), 'utf8'));
    const y = (json(proved).public as { name: string; values: number[] }[]).find((v) => v.name === 'y')!.values;
    y.forEach((v, i) => expect(Math.abs(v - ref.outputs.y[i])).toBeLessThan(0.25));
  });

  it('verifies without the model file (vk.bin + settings.json only)', async () => {
    rmSync(model);
    const v = await cli('verify', '--vk', join(keys, 'vk.bin'), proofPath);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/public values checked: input x \(8\), output .* \(6\)/);
    copyFileSync(join(fixtures, 'mlp.onnx'), model);
  });

  it('a tampered proof exits 1; a truncated vk.bin or a missing settings.json exits 2', async () => {
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    const bytes = Buffer.from(file.proof, 'base64');
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 1;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify({ ...file, proof: bytes.toString('base64') }));
    const t = await cli('verify', '--setup', keys, join(dir, 'tampered.json'));
    expect(t.code).toBe(1);
    expect(t.out).toMatch(/proof REJECTED/);
    writeFileSync(join(dir, 'short-vk.bin'), readFileSync(join(keys, 'vk.bin')).subarray(0, 200));
    const s = await cli('verify', '--vk', join(dir, 'short-vk.bin'), '--settings', join(keys, 'settings.json'), proofPath);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/vk\.bin: truncated at \[τ\]₂/);
    const m = await cli('verify', '--vk', join(dir, 'short-vk.bin'), proofPath);
    expect(m.code).toBe(2);
  });

  it('an input outside the calibrated range is an error naming the tensor (exit 2)', async () => {
    const big = JSON.stringify({ x: [500, -1, 0.25, 2, 1, 1, -0.5, 0.1] });
    const r = await cli('mock', '--setup', keys, '--input', big);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/input outside the calibrated range at tensor "x".*calibrated on 1 sample\(s\).*--calibration/);
    expect((await cli('mock', '--setup', keys, '--input', join(fixtures, 'mlp.json'))).code).toBe(0);
  });

  it('a changed model file exits 2 at prove', async () => {
    const changed = Buffer.from(readFileSync(model));
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1;
    writeFileSync(model, changed);
    const r = await cli('prove', '--setup', keys, '--input', join(fixtures, 'mlp.json'), '--out', join(dir, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the model file .*mlp\.onnx is not the one setup used: its sha256 is/);
    copyFileSync(join(fixtures, 'mlp.onnx'), model);
  });

  it.each([
    ['[1, 2, 3]', /input "x": expected 8 values \(shape \[2, 4\] = \[2, 4\]\), got 3/],
    ['{"y": [1]}', /input: the model has no input "y"; its inputs: x/],
    ['{"x": [1, "a"]}', /input "x": expected finite numbers, got "a"/],
    ['[1, 2,', /input: invalid JSON/],
  ])('bad ONNX input %j exits 2', async (input, message) => {
    const r = await cli('mock', '--setup', keys, '--input', input);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('zktensor usage (exit 2 / 0)', () => {
  it('no arguments: usage on stderr, exit 2; --help: usage on stdout, exit 0', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage: zktensor <command>[\s\S]*setup[\s\S]*verify/);
    expect(r.out).toBe('');
    const h = await cli('--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/usage: zktensor/);
  });

  it('--version prints package.json\'s version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.out).toBe(pkg.version);
  });

  it.each(['setup', 'prove', 'verify', 'mock', 'info', 'srs', 'bench'])('%s --help', async (cmd) => {
    const r = await cli(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: zktensor ${cmd}`));
  });

  it.each([
    [['setup', '--model', 'gpt2-tiny'], /setup: missing --out/],
    [['setup', '--model', 'gpt2-tiny', '--out', join(dir, 'x'), '--frobnicate'], /setup: Unknown option '--frobnicate'/],
    [['setup', '--model', 'gpt9', '--out', join(dir, 'x')], /unknown model "gpt9"/],
    [['setup', '--model', 'gpt2-tiny', '--tokens', '9', '--out', join(dir, 'x')], /--tokens: expected an integer in 1…4/],
    [['setup', '--model', join(fixtures, 'mlp.onnx'), '--out', join(dir, 'x')], /an ONNX model needs --calibration FILE/],
    [['prove', '--input', 'the'], /prove: missing --pk \(or --setup DIR\)/],
    [['prove', '--setup', join(dir, 'nowhere'), '--input', join(dir, 'missing-input.json')], /input: the file .*missing-input\.json does not exist/],
    [['prove', '--setup', join(dir, 'nowhere'), '--input', 'the'], /settings: cannot read .*nowhere.*settings\.json \(ENOENT\)/],
    [['verify', '--vk', join(dir, 'x.bin')], /expected the proof file/],
    [['verify', '--vk', 'a', 'b', 'c'], /verify: unexpected argument "c"/],
    [['mock', '--model', 'gpt2-tiny', '--input', 'th%'], /character "%" at position 2 is not in the gpt2-tiny vocabulary/],
    [['mock', '--model', 'gpt2-tiny', '--input', '[1, 99]'], /token 1 = 99 is not an id in \[0, 16\)/],
    [['mock', '--model', 'gpt2-tiny', '--tokens', '2', '--input', 'the'], /input: 3 tokens; the setup fixed the sequence length of gpt2-tiny at 2/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['bench', 'nope'], /bench: unknown suite "nope": expected one of .*field.*models/],
  ])('%j', async (argv, message) => {
    const r = await cli(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
  });

  it('a model too big for the machine is refused before work starts (exit 2; --force overrides the check)', async () => {
    const t0 = performance.now();
    const r = await cli('setup', '--model', 'gpt2-small', '--out', join(dir, 'small'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/setup: gpt2-small needs about [\d.]+ TiB of memory \(k = \d+\), this machine has [\d.]+ GiB; refusing before starting \(pass --force to try anyway\)/);
    expect(performance.now() - t0).toBeLessThan(60_000);
    // the check itself, on a small model and a pretend machine
    const p = getPreset('gpt2-tiny');
    const cost = estimateCost(compileModel(presetGraph(p, 2), presetQuant(p), { fixedColumns: p.fixedColumns }));
    expect(() => checkFits('prove', 'gpt2-tiny', cost, false, cost.estimate.memoryBytes - 1)).toThrow(TooLargeError);
    expect(() => checkFits('prove', 'gpt2-tiny', cost, true, cost.estimate.memoryBytes - 1)).not.toThrow();
    expect(() => checkFits('prove', 'gpt2-tiny', cost, false, cost.estimate.memoryBytes)).not.toThrow();
  }, 90_000);
});

describe('zktensor info / srs / bench', () => {
  it('info --model gpt2-small prints the full GPT-2 cost; --input text is BPE-tokenized; ONNX', async () => {
    const r = await cli('info', '--model', 'gpt2-small', '--json');
    expect(r.code).toBe(0);
    const info = json(r);
    expect(info).toMatchObject({ model: 'gpt2-small', tokens: 1024, parameters: 124439808 });
    // committed weights (the default) keep the matmul weights out of the rows: k = 24 instead of fixed weights' 26
    expect(info['k']).toBe(24);
    const fixed = await cli('info', '--model', 'gpt2-small', '--visibility', 'weights=fixed', '--json');
    expect(json(fixed)).toMatchObject({ parameters: 124439808, k: 26 });
    const bpe = await cli('info', '--model', 'gpt2-small', '--input', 'Hello world', '--json');
    expect(bpe.code).toBe(0);
    expect(json(bpe)).toMatchObject({ tokens: 2, tokenIds: [15496, 995], tokenizer: 'gpt2-bpe' });
    const text = await cli('info', '--model', 'nanogpt', '--tokens', '8');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/rows: \d+ .* → k = \d+/);
    // committed weights (the default): the rows by op before the rewrite too — the n·p Horner rows of B·r are gone
    expect(text.out).toMatch(/rows by op with weights fixed \(in the circuit\) instead: .*matmul \d+/);
    const nano = json(await cli('info', '--model', 'nanogpt', '--tokens', '8', '--json'));
    const before = nano['rowsByOpWeightsFixed'] as Record<string, number>;
    const after = nano['rowsByOp'] as Record<string, number>;
    expect(before['matmul']).toBeGreaterThan(after['cmatmul']!);
    expect(nano['regionRowsWeightsFixed']).toBeGreaterThan(nano['regionRows'] as number);
    const onnx = await cli('info', '--model', join(fixtures, 'mlp.onnx'), '--input', join(fixtures, 'mlp.json'), '--json');
    expect(onnx.code).toBe(0);
    expect(json(onnx)).toMatchObject({ model: 'mlp', k: expect.any(Number) });
    // --limb-bits: the range table is 2^B rows; wider limbs, fewer lookups (gpt2-tiny's default is 8)
    const narrow = json(await cli('info', '--model', 'gpt2-tiny', '--json'));
    const wide = json(await cli('info', '--model', 'gpt2-tiny', '--limb-bits', '10', '--json'));
    expect(wide['tableRows']).toBeGreaterThanOrEqual(1024);
    expect(wide['lookups']).toBeLessThan(narrow['lookups'] as number);
    const bad = await cli('info', '--model', 'gpt2-tiny', '--limb-bits', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--limb-bits/);
  }, 120_000);

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

  it('srs --ptau imports a snarkjs ceremony file (truncated to --k) with its Lagrange basis; junk exits 2', async () => {
    const cacheDir = resolve(__dirname, '../../.cache');
    const ptau = join(cacheDir, 'test-power5.ptau');
    if (!existsSync(ptau)) {
      mkdirSync(cacheDir, { recursive: true }); // a fresh clone has no .cache yet
      const snarkjs = resolve(__dirname, '../../node_modules/.bin/snarkjs');
      const p0 = join(dir, 'p0.ptau');
      spawnSync(snarkjs, ['powersoftau', 'new', 'bn128', '5', p0], { stdio: 'ignore' });
      spawnSync(snarkjs, ['powersoftau', 'contribute', p0, ptau, '--name=zktensor-test', '-e=fixed test entropy'], { stdio: 'ignore' });
    }
    const out = join(dir, 'ptau.params');
    const r = await cli('srs', '--ptau', ptau, '--k', '4', '--out', out, '--json');
    expect(r.code).toBe(0);
    const srs = readHalo2Params(new Uint8Array(readFileSync(out)));
    expect(srs.k).toBe(4);
    expect(nobleMsm(srs.g1Lagrange!, srs.g1Lagrange!.map(() => 1n))).toEqual(srs.g1[0]);
    const junk = join(dir, 'junk.ptau');
    writeFileSync(junk, 'ptau-not-really');
    const bad = await cli('srs', '--ptau', junk, '--out', join(dir, 'x.params'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not a usable \.ptau file/);
    expect((await cli('srs', '--ptau', ptau, '--k', '9', '--out', join(dir, 'y.params'))).code).toBe(2);
  }, 120_000);

  it('bench runs a suite through bench/run.ts and passes its JSON through', async () => {
    const r = await cli('bench', 'field', '--quick', '--json');
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report).toMatchObject({ suite: 'field' });
    expect((report.results as unknown[]).length).toBeGreaterThan(0);
  }, 60_000);

  it('the bin launcher: exit 2 with usage and no arguments, and on a missing input file', () => {
    const bin = resolve(__dirname, '../../bin/zktensor.mjs');
    const r = spawnSync(process.execPath, [bin], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: zktensor/);
    const v = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(v.stdout.trim()).toBe(pkg.version);
  });
});
