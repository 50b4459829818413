/**
 * The CLI end to end (real prover):
 *  - gpt2-tiny with GPT-2 weights from a safetensors file (Hugging Face
 *    names): prove → verify (cached VK), plain progress lines; a tampered
 *    proof or public output exits 1; a changed weights file exits 2;
 *  - mlp.onnx: prove → verify; the second prove is a key-cache hit; a
 *    corrupt cached key is detected, recomputed and the proof still
 *    verifies; a changed or missing model file exits 2; bad input JSON
 *    exits 2 naming the input and its shape; block.onnx and cnn.onnx
 *    prove and verify;
 *  - malformed input exits 2 with a message naming the problem; `info`
 *    prints gpt2-small's cost (BPE-tokenized input); `srs`; `bench`; the bin
 *    launcher.
 * One proof per model is reused across assertions (gpt2-tiny proving takes
 * tens of seconds on 2 cores).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { ProgressSink } from '../../src/cli/progress.js';
import { Fr } from '../../src/field/bn254.js';
import { getPreset, presetGraph, weightData, writeSafetensors, type SafetensorsInput } from '../../src/models/index.js';
import { nobleMsm } from '../../src/curve/curve.js';
import { readHalo2Params } from '../../src/pcs/srs.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-cli-'));
const cacheDir = join(dir, 'keys');
const fixtures = resolve(__dirname, '../fixtures/onnx');

interface Run {
  code: number;
  out: string;
  err: string;
  progress: string;
}

async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  let progress = '';
  const sink: ProgressSink = { isTTY: false, write: (t) => void (progress += t) };
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: sink });
  return { code, out: out.join('\n'), err: err.join('\n'), progress };
}

const json = (r: Run) => JSON.parse(r.out) as Record<string, unknown>;

/** gpt2-tiny's synthetic weights under Hugging Face GPT-2 names, as F32. */
function gpt2TinySafetensors(): Uint8Array {
  const p = getPreset('gpt2-tiny');
  const { width: D, hidden, context, vocabulary: V } = p.config;
  const F = hidden!;
  const g = presetGraph(p, context);
  const w = (name: string) => weightData(g.weights.find((x) => x.name === name)!);
  const t: Record<string, SafetensorsInput> = {
    'wte.weight': { dtype: 'F32', shape: [V, D], data: w('wte') },
    'wpe.weight': { dtype: 'F32', shape: [context, D], data: w('wpe') },
    'h.0.ln_1.weight': { dtype: 'F32', shape: [D], data: w('h0.ln1.g') },
    'h.0.ln_1.bias': { dtype: 'F32', shape: [D], data: w('h0.ln1.b') },
    'h.0.attn.c_attn.weight': {
      dtype: 'F32',
      shape: [D, 3 * D],
      data: Array.from({ length: D * 3 * D }, (_, i) => w(`h0.attn.${'qkv'[Math.floor((i % (3 * D)) / D)]}.w`)[Math.floor(i / (3 * D)) * D + (i % D)]!),
    },
    'h.0.attn.c_attn.bias': { dtype: 'F32', shape: [3 * D], data: [...w('h0.attn.q.b'), ...w('h0.attn.k.b'), ...w('h0.attn.v.b')] },
    'h.0.attn.c_proj.weight': { dtype: 'F32', shape: [D, D], data: w('h0.attn.proj.w') },
    'h.0.attn.c_proj.bias': { dtype: 'F32', shape: [D], data: w('h0.attn.proj.b') },
    'h.0.ln_2.weight': { dtype: 'F32', shape: [D], data: w('h0.ln2.g') },
    'h.0.ln_2.bias': { dtype: 'F32', shape: [D], data: w('h0.ln2.b') },
    'h.0.mlp.c_fc.weight': { dtype: 'F32', shape: [D, F], data: w('h0.mlp.fc.w') },
    'h.0.mlp.c_fc.bias': { dtype: 'F32', shape: [F], data: w('h0.mlp.fc.b') },
    'h.0.mlp.c_proj.weight': { dtype: 'F32', shape: [F, D], data: w('h0.mlp.proj.w') },
    'h.0.mlp.c_proj.bias': { dtype: 'F32', shape: [D], data: w('h0.mlp.proj.b') },
    'ln_f.weight': { dtype: 'F32', shape: [D], data: w('ln_f.g') },
    'ln_f.bias': { dtype: 'F32', shape: [D], data: w('ln_f.b') },
  };
  return writeSafetensors(t, { format: 'pt' });
}

describe('zktensor prove / verify: gpt2-tiny with safetensors weights', () => {
  const proofPath = join(dir, 'gpt2', 'proof.json');
  const weightsPath = join(dir, 'gpt2-tiny.safetensors');
  let proved: Run;
  beforeAll(async () => {
    writeFileSync(weightsPath, gpt2TinySafetensors());
    proved = await cli('prove', '--model', 'gpt2-tiny', '--weights', weightsPath, '--input', 'th', '--out', proofPath, '--cache-dir', cacheDir, '--json');
  }, 240_000);

  it('proves (keys computed and cached), with plain progress lines per phase', () => {
    expect(proved.err).toBe('');
    expect(proved.code).toBe(0);
    expect(json(proved)).toMatchObject({ ok: true, model: 'gpt2-tiny', tokens: 2, tokenIds: [2, 8], tokenizer: 'char', k: 11, keys: 'computed' });
    const lines = proved.progress.trim().split('\n');
    expect(lines[0]).toMatch(/^\[load\] 1\/6 start/);
    expect(lines).toContainEqual(expect.stringMatching(/^\[keygen\] 4\/6 start \(estimate [\d.]+ (s|min)\) · ETA/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[keygen\] 4\/6 done in [\d.]+ s \(computed, cached\) · total [\d.]+ s · ETA/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[keygen\] 4\/6 step 1\/\d+ synthesize · /));
    expect(lines).toContainEqual(expect.stringMatching(/^\[prove\] 5\/6 step 1\/\d+ advice phase 0 · /));
    expect(lines[lines.length - 1]).toMatch(/^\[verify\] 6\/6 done in/);
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    expect(file.weights).toMatchObject({ kind: 'safetensors', path: '../gpt2-tiny.safetensors' });
    expect(file.input).toEqual({ tokens: [2, 8], tokenizer: 'char' });
  });

  it('verifies with the cached verifying key, and with --no-cache', async () => {
    const v = await cli('verify', proofPath, '--cache-dir', cacheDir, '--json');
    expect(v.err).toBe('');
    expect(v.code).toBe(0);
    expect(json(v)).toMatchObject({ ok: true, vk: 'cached', next: json(proved).next });
    const trusted = await cli('verify', proofPath, '--trust-vk', '--json');
    expect(json(trusted)).toMatchObject({ ok: true, vk: 'file' });
  });

  it('a tampered proof is rejected with exit code 1', async () => {
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    const bytes = Buffer.from(file.proof, 'base64');
    bytes[bytes.length >> 1] ^= 1;
    const bad = join(dir, 'gpt2', 'tampered.json');
    writeFileSync(bad, JSON.stringify({ ...file, proof: bytes.toString('base64') }));
    const v = await cli('verify', bad, '--trust-vk');
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/REJECTED/);
  });

  it('a changed public output or recorded input is rejected with exit code 1', async () => {
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    const inst = [...file.instances[0]];
    inst[inst.length - 1] = String(BigInt(inst[inst.length - 1]) + 1n);
    const bad = join(dir, 'gpt2', 'output.json');
    writeFileSync(bad, JSON.stringify({ ...file, instances: [inst] }));
    expect((await cli('verify', bad, '--trust-vk')).code).toBe(1);
    writeFileSync(bad, JSON.stringify({ ...file, input: { tokens: [2, 9] } }));
    const r = await cli('verify', bad, '--trust-vk');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/recorded input "tokens" differs from the proven public input/);
  });

  it('a changed or missing weights file exits 2', async () => {
    const moved = join(dir, 'gpt2-moved.safetensors');
    copyFileSync(weightsPath, moved);
    const bytes = readFileSync(weightsPath);
    bytes[bytes.length - 1] ^= 0x10;
    writeFileSync(weightsPath, bytes);
    const changed = await cli('verify', proofPath, '--trust-vk');
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/the weights file .*gpt2-tiny\.safetensors changed since proving: its sha256 is [0-9a-f]{64}, the proof was made for [0-9a-f]{64}/);
    rmSync(weightsPath);
    const missing = await cli('verify', proofPath, '--trust-vk');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/the weights file of this proof is missing: cannot read .*gpt2-tiny\.safetensors \(ENOENT\); pass --weights PATH/);
    // --weights points verify at the moved (unchanged) file
    expect((await cli('verify', proofPath, '--trust-vk', '--weights', moved)).code).toBe(0);
  });
});

describe('zktensor prove / verify: ONNX (mlp.onnx)', () => {
  const model = join(dir, 'mlp.onnx');
  const input = join(dir, 'mlp-input.json');
  const proofPath = join(dir, 'onnx', 'proof.json');
  const onnxCache = join(dir, 'onnx-keys');
  let first: Run;
  beforeAll(async () => {
    copyFileSync(join(fixtures, 'mlp.onnx'), model);
    const ref = JSON.parse(readFileSync(join(fixtures, 'mlp.json'), 'utf8'));
    writeFileSync(input, JSON.stringify({ x: ref.inputs.x }));
    first = await cli('prove', '--model', model, '--input', input, '--out', proofPath, '--cache-dir', onnxCache, '--json');
  }, 120_000);

  it('proves, records the model file and the inputs, and verifies', async () => {
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const s = json(first);
    expect(s).toMatchObject({ ok: true, keys: 'computed', inputs: { x: 8 } });
    const ref = JSON.parse(readFileSync(join(fixtures, 'mlp.json'), 'utf8'));
    (s.outputs as { y: number[] }).y.forEach((v, i) => expect(Math.abs(v - ref.outputs.y[i])).toBeLessThan(0.25));
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    expect(file.modelFile).toMatchObject({ kind: 'onnx', path: '../mlp.onnx', dims: {} });
    expect(file.modelFile.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.input.values.x).toEqual(ref.inputs.x);
    const v = await cli('verify', proofPath, '--cache-dir', onnxCache, '--json');
    expect(v.code).toBe(0);
    expect(json(v)).toMatchObject({ ok: true, vk: 'cached', outputs: s.outputs });
  });

  it('a second prove is a key-cache hit; a corrupt cached key is recomputed and the proof still verifies', async () => {
    const second = await cli('prove', '--model', model, '--input', input, '--out', proofPath, '--cache-dir', onnxCache, '--json');
    expect(second.code).toBe(0);
    expect(json(second)).toMatchObject({ keys: 'cached' });
    expect(second.progress).toMatch(/\[keygen\] 4\/6 done in [\d.]+ s \(cached\)/);
    // corrupt the cached proving key (one byte in the middle of the payload)
    for (const f of readdirSync(onnxCache).filter((name) => name.endsWith('.pk'))) {
      const path = join(onnxCache, f);
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(path, bytes);
    }
    const third = await cli('prove', '--model', model, '--input', input, '--out', proofPath, '--cache-dir', onnxCache, '--json');
    expect(third.code).toBe(0);
    expect(json(third)).toMatchObject({ keys: 'computed' });
    expect(third.err).toMatch(/note: cached pk .* is corrupt \(checksum mismatch\); recomputing/);
    const v = await cli('verify', proofPath, '--cache-dir', onnxCache, '--json');
    expect(v.code).toBe(0);
    expect(json(v)).toMatchObject({ ok: true, vk: 'cached' });
    // a truncated verifying key: recomputed on verify, with a note
    const vkFile = readdirSync(onnxCache).find((f) => f.endsWith('.vk'))!;
    writeFileSync(join(onnxCache, vkFile), readFileSync(join(onnxCache, vkFile)).subarray(0, 50));
    const v2 = await cli('verify', proofPath, '--cache-dir', onnxCache, '--json');
    expect(v2.code).toBe(0);
    expect(json(v2)).toMatchObject({ ok: true, vk: 'computed' });
    expect(v2.err).toMatch(/note: cached vk .* lacks the "ZKTC" header; recomputing/);
  });

  it('a tampered proof exits 1', async () => {
    const file = JSON.parse(readFileSync(proofPath, 'utf8'));
    const bytes = Buffer.from(file.proof, 'base64');
    bytes[bytes.length >> 1] ^= 1;
    const bad = join(dir, 'onnx', 'tampered.json');
    writeFileSync(bad, JSON.stringify({ ...file, proof: bytes.toString('base64') }));
    const v = await cli('verify', bad, '--cache-dir', onnxCache);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/proof REJECTED/);
  });

  it('a changed or missing model file exits 2', async () => {
    const original = readFileSync(model);
    const changed = Buffer.from(original);
    changed[changed.length - 1] ^= 1;
    writeFileSync(model, changed);
    const r = await cli('verify', proofPath);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the model file .*mlp\.onnx changed since proving: its sha256 is/);
    rmSync(model);
    const m = await cli('verify', proofPath);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/the model file of this proof is missing: cannot read .*mlp\.onnx \(ENOENT\); pass --model PATH/);
    writeFileSync(model, original);
  });

  it.each([
    [['--input', '[1, 2, 3]'], /input "x": expected 8 values \(shape \[2, 4\] = \[2, 4\]\), got 3/],
    [['--input', '{"y": [1]}'], /input: the model has no input "y"; its inputs: x/],
    [['--input', '{}'], /input: missing "x" \(shape \[2, 4\]\)/],
    [['--input', '{"x": [1, "a"]}'], /input "x": expected finite numbers, got "a"/],
    [['--input', '[1, 2,'], /input: invalid JSON/],
    [['--weights', 'w.safetensors', '--input', '[1]'], /--weights: only for presets/],
  ])('bad ONNX input %j exits 2', async (extra, message) => {
    const r = await cli('prove', '--model', join(fixtures, 'mlp.onnx'), '--out', join(dir, 'x.json'), '--no-cache', ...(extra as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
  });
});

describe.each([
  { name: 'block', dims: { T: 4 } },
  { name: 'cnn', dims: {} },
])('zktensor prove / verify: ONNX $name.onnx', ({ name, dims }) => {
  it('proves (symbolic dims inferred from the input) and verifies; outputs match the reference', async () => {
    const proofPath = join(dir, `${name}-proof.json`);
    const keys = join(dir, `${name}-keys`);
    const r = await cli('prove', '--model', join(fixtures, `${name}.onnx`), '--input', join(fixtures, `${name}.json`), '--out', proofPath, '--cache-dir', keys, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ref = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
    const y = (json(r).outputs as { y: number[] }).y;
    expect(y).toHaveLength(ref.outputs.y.length);
    y.forEach((v, i) => expect(Math.abs(v - ref.outputs.y[i])).toBeLessThan(0.25));
    expect(JSON.parse(readFileSync(proofPath, 'utf8')).modelFile.dims).toEqual(dims);
    const v = await cli('verify', proofPath, '--cache-dir', keys, '--json');
    expect(v.code).toBe(0);
    expect(json(v)).toMatchObject({ ok: true, vk: 'cached', outputs: { y } });
  }, 120_000);
});

describe('zktensor errors (exit 2)', () => {
  it.each([
    [['prove', '--model', 'gpt2-tiny', '--input', '[1, 2,'], /input: invalid JSON/],
    [['prove', '--model', 'gpt2-tiny', '--input', 'th%'], /character "%" at position 2 is not in the gpt2-tiny vocabulary/],
    [['prove', '--model', 'gpt2-tiny', '--input', '[1, 99]'], /token 1 = 99 is not an id in \[0, 16\)/],
    [['prove', '--model', 'gpt2-tiny', '--input', 'the moon'], /8 tokens exceed the context of gpt2-tiny \(4\)/],
    [['prove', '--model', 'gpt9', '--input', 'the'], /unknown model "gpt9"/],
    [['prove', '--input', 'the'], /missing --model/],
    [['prove', '--model', join(dir, 'nope.onnx'), '--input', '[1]'], /--model: cannot read .*nope\.onnx \(ENOENT\)/],
    [['verify', join(dir, 'missing.json')], /cannot read .*missing\.json \(ENOENT\)/],
    [['verify'], /expected the proof file/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['bench', 'nope'], /bench: unknown suite "nope": expected one of .*field.*models/],
  ])('%j', async (argv, message) => {
    const r = await cli(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
  });

  it('weights that do not fit the preset name the tensors', async () => {
    const path = join(dir, 'bad-weights.safetensors');
    writeFileSync(path, writeSafetensors({ 'wte.weight': { dtype: 'F32', shape: [16, 4], data: new Float32Array(64) }, 'h.0.attn.rotary': { dtype: 'F32', shape: [1], data: [0] } }));
    const r = await cli('prove', '--model', 'gpt2-tiny', '--weights', path, '--input', 'th', '--no-cache');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/GPT-2 weights do not fit the model .*missing \d+: wpe\.weight \[4, 8\].*unexpected 1: h\.0\.attn\.rotary; shape mismatch 1: wte\.weight: expected shape \[16, 8\], got \[16, 4\]/);
    writeFileSync(path, 'not a safetensors file');
    const m = await cli('prove', '--model', 'gpt2-tiny', '--weights', path, '--input', 'th', '--no-cache');
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/safetensors: bad header length/);
  });

  it('a malformed proof file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "zktensor-proof", "version": 2}');
    const r = await cli('verify', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/proof file: expected "model"/);
  });
});

describe('zktensor info / srs / bench', () => {
  it('info --model gpt2-small prints the full GPT-2 cost; --input text is BPE-tokenized', async () => {
    const r = await cli('info', '--model', 'gpt2-small', '--json');
    expect(r.code).toBe(0);
    const info = json(r);
    expect(info).toMatchObject({ model: 'gpt2-small', tokens: 1024, parameters: 124439808 });
    expect(info.rows).toBeGreaterThan(1e7); // the layout formulas give 6e7–2e8 rows as the chips change; k > 25 either way
    expect(info.k).toBeGreaterThan(25);
    const bpe = await cli('info', '--model', 'gpt2-small', '--input', 'Hello world', '--json');
    expect(bpe.code).toBe(0);
    expect(json(bpe)).toMatchObject({ tokens: 2, tokenIds: [15496, 995], tokenizer: 'gpt2-bpe' });
    const text = await cli('info', '--model', 'nanogpt', '--tokens', '8');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/rows: \d+ .* → k = \d+/);
    const onnx = await cli('info', '--model', join(fixtures, 'mlp.onnx'), '--input', join(fixtures, 'mlp.json'), '--json');
    expect(onnx.code).toBe(0);
    expect(json(onnx)).toMatchObject({ model: join(fixtures, 'mlp.onnx'), k: expect.any(Number) });
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

  it('srs --ptau imports a snarkjs ceremony file (truncated to --k) with its Lagrange basis; junk exits 2', async () => {
    const cacheDir = resolve(__dirname, '../../.cache');
    const ptau = join(cacheDir, 'test-power5.ptau');
    if (!existsSync(ptau)) {
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

  it('the bin launcher exits 2 on malformed input', () => {
    const bin = resolve(__dirname, '../../bin/zktensor.mjs');
    const r = spawnSync(process.execPath, [bin, 'prove', '--model', 'gpt2-tiny', '--input', '{"tokens": "x"}'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/input: expected a non-empty array of token ids/);
  });
});
