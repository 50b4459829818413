/**
 * Issue 14: the statement a proof makes is pinned by setup's vk.bin and
 * settings.json, never by the proof file. Each forgery the issue lists is
 * rejected:
 *  - a proof over the dev SRS (public τ) against a vk from a random SRS;
 *    a dev-SRS vk without --unsafe-dev-srs; a dev SRS file given to setup;
 *  - SRS path, visibility, scale or model name written into the proof file
 *    change nothing; the same edits to settings.json are refused;
 *  - a proof with other weights, and a proof for another model, against
 *    this model's vk;
 *  - a proof for input A with B's public values;
 *  - weights=private is refused at setup.
 * gpt2-tiny at 3 tokens (k = 11) keeps each setup at seconds and each proof
 * at ~10 s on 2 cores; one setup per SRS kind is shared by the tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, gpt2TinySafetensors, json, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-statement-'));
const at = (...p: string[]) => join(dir, ...p);
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

describe('zktensor setup → prove → verify: the statement is the vk\'s', () => {
  const setups: Record<string, Run> = {};
  const proofs: Record<string, Run> = {};
  beforeAll(async () => {
    writeFileSync(at('weights.safetensors'), gpt2TinySafetensors(0.5));
    setups['random'] = await cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--out', at('random'), '--quiet', '--json');
    setups['dev'] = await cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--out', at('dev'), '--unsafe-dev-srs', '--quiet', '--json');
    setups['weights'] = await cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--weights', at('weights.safetensors'), '--out', at('weights'), '--quiet', '--json');
    proofs['A'] = await cli('prove', '--setup', at('random'), '--input', 'the', '--out', at('a.json'), '--quiet', '--json');
    proofs['B'] = await cli('prove', '--setup', at('random'), '--input', 'sun', '--out', at('b.json'), '--quiet', '--json');
    proofs['dev'] = await cli('prove', '--pk', at('dev', 'pk.bin'), '--settings', at('dev', 'settings.json'), '--input', 'the', '--out', at('dev.json'), '--quiet');
    proofs['weights'] = await cli('prove', '--setup', at('weights'), '--input', 'the', '--out', at('w.json'), '--quiet');
  }, 300_000);

  it('setup writes settings.json, pk.bin and vk.bin; prove and verify accept an honest proof', async () => {
    for (const r of Object.values(setups)) expect(r.code, r.err).toBe(0);
    for (const r of Object.values(proofs)) expect(r.code, r.err).toBe(0);
    const s = readJson(at('random', 'settings.json'));
    expect(s).toMatchObject({ name: 'gpt2-tiny', model: { kind: 'preset', name: 'gpt2-tiny', tokens: 3 }, visibility: { input: 'public', weights: 'committed', output: 'public' }, k: 11, srs: { kind: 'random' } });
    expect(setups['random']!.err).toMatch(/OS randomness.*ceremony \.ptau/);
    expect(setups['dev']!.err).toMatch(/WARNING: --unsafe-dev-srs.*PUBLIC τ/);
    const v = await cli('verify', '--vk', at('random', 'vk.bin'), at('a.json'));
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/^proof OK: gpt2-tiny/);
    expect(v.out).toContain(`model fingerprint ${s['fingerprint']}`);
    expect(v.out).toContain(`SRS random ${(s['srs'] as { identity: string }).identity}`);
    expect(v.out).toMatch(/visibility input=public, weights=committed, output=public; scale 2\^7/);
    expect(v.out).toMatch(/public values checked: input tokens \(3\), output lm_head \(16\)/);
    expect(v.out).toMatch(/input tokens: "the" \[2, 8, 1\]/);
  });

  it('a proof over the dev SRS does not verify against a vk from a random SRS', async () => {
    const r = await cli('verify', '--vk', at('random', 'vk.bin'), at('dev.json'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REJECTED: the proof was made for the verifying key/);
    // without the fingerprint the proof itself fails
    const f = readJson(at('dev.json'));
    delete f['fingerprint'];
    writeFileSync(at('dev-nofp.json'), JSON.stringify(f));
    const r2 = await cli('verify', '--vk', at('random', 'vk.bin'), at('dev-nofp.json'));
    expect(r2.code).toBe(1);
    expect(r2.out).toMatch(/REJECTED/);
  });

  it('verify refuses a dev-SRS vk unless --unsafe-dev-srs', async () => {
    const r = await cli('verify', '--vk', at('dev', 'vk.bin'), at('dev.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/well-known development SRS: its τ is public.*--unsafe-dev-srs/);
    const ok = await cli('verify', '--vk', at('dev', 'vk.bin'), at('dev.json'), '--unsafe-dev-srs');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/SRS unsafe-dev [0-9a-f]{64} — UNSAFE: public τ/);
  });

  it('setup refuses an SRS file with a public τ unless --unsafe-dev-srs', async () => {
    expect((await cli('srs', '--k', '11', '--out', at('dev.params'))).code).toBe(0);
    const r = await cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--srs', at('dev.params'), '--out', at('devfile'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is the well-known development SRS/);
  });

  it('an SRS path, visibility, scale or model name in the proof file changes nothing', async () => {
    const honest = await cli('verify', '--vk', at('random', 'vk.bin'), at('a.json'), '--json');
    const f = readJson(at('a.json'));
    const forged = { ...f, srs: { kind: 'file', path: at('dev.params') }, visibility: { input: 'public', weights: 'private', output: 'public' }, quant: { scale: 3 }, scale: 3, model: 'nanogpt', name: 'nanogpt', public: { model: 'nanogpt' } };
    writeFileSync(at('forged.json'), JSON.stringify(forged));
    const r = await cli('verify', '--vk', at('random', 'vk.bin'), at('forged.json'), '--json');
    expect(r.code).toBe(0);
    expect(json(r)).toEqual({ ...json(honest), verifySeconds: expect.any(Number) });
    expect(json(r)).toMatchObject({ model: 'gpt2-tiny', scale: 7, visibility: { weights: 'committed' }, srs: { kind: 'random' } });
  });

  it.each([
    ['scale', (s: Record<string, unknown>) => ({ ...s, scale: 3, quant: { ...(s['quant'] as object), scale: 3 } })],
    ['visibility', (s: Record<string, unknown>) => ({ ...s, visibility: { input: 'private', weights: 'fixed', output: 'public' } })],
    ['name', (s: Record<string, unknown>) => ({ ...s, name: 'nanogpt' })],
  ])('a settings.json with another %s than setup wrote is refused', async (_, edit) => {
    const path = at(`settings-${_}.json`);
    writeFileSync(path, JSON.stringify(edit(readJson(at('random', 'settings.json')))));
    const r = await cli('verify', '--vk', at('random', 'vk.bin'), '--settings', path, at('a.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not the settings .*vk\.bin was made with/);
  });

  it('a proof with other weights (another model) is rejected by this model\'s vk', async () => {
    const r = await cli('verify', '--vk', at('random', 'vk.bin'), at('w.json'));
    expect(r.code).toBe(1);
    const f = readJson(at('w.json'));
    delete f['fingerprint'];
    writeFileSync(at('w-nofp.json'), JSON.stringify(f));
    const r2 = await cli('verify', '--vk', at('random', 'vk.bin'), at('w-nofp.json'));
    expect(r2.code).toBe(1);
    expect(r2.out).toMatch(/REJECTED/);
    // and the weights setup verifies its own proof
    expect((await cli('verify', '--setup', at('weights'), at('w.json'))).code).toBe(0);
  });

  it('a proof for input A with the public values of input B is rejected', async () => {
    const a = readJson(at('a.json'));
    const b = readJson(at('b.json'));
    expect(a['instances']).not.toEqual(b['instances']);
    writeFileSync(at('a-as-b.json'), JSON.stringify({ ...a, instances: b['instances'] }));
    const r = await cli('verify', '--vk', at('random', 'vk.bin'), at('a-as-b.json'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REJECTED/);
    // mock names what fails when A's witness meets B's public values
    const m = await cli('mock', '--setup', at('random'), '--input', 'the', '--instances', at('b.json'));
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/mock FAILED: gpt2-tiny .* failure/);
    expect((await cli('mock', '--setup', at('random'), '--input', 'the')).code).toBe(0);
  });

  it('the vk of gpt2-tiny rejects a proof for another model', async () => {
    const onnxDir = at('mlp');
    const fixtures = join(__dirname, '../fixtures/onnx');
    expect((await cli('setup', '--model', join(fixtures, 'mlp.onnx'), '--calibration', join(fixtures, 'mlp.json'), '--out', onnxDir, '--quiet')).code).toBe(0);
    expect((await cli('prove', '--setup', onnxDir, '--input', join(fixtures, 'mlp.json'), '--out', at('mlp.json'), '--quiet')).code).toBe(0);
    const f = readJson(at('mlp.json'));
    delete f['fingerprint'];
    writeFileSync(at('mlp-nofp.json'), JSON.stringify(f));
    const r = await cli('verify', '--vk', at('random', 'vk.bin'), at('mlp-nofp.json'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REJECTED: expected one column of 19 public values/);
  });

  it('a private input: the keys do not depend on it, and only the output is a checked public value', async () => {
    const keys = at('private-input');
    expect((await cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--visibility', 'input=private', '--out', keys, '--quiet')).code).toBe(0);
    const s = readJson(join(keys, 'settings.json'));
    expect(s['quant']).toEqual(readJson(at('random', 'settings.json'))['quant']);
    expect((await cli('prove', '--setup', keys, '--input', 'sun', '--out', at('p.json'), '--quiet')).code).toBe(0);
    const v = await cli('verify', '--setup', keys, at('p.json'));
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/visibility input=private, weights=committed, output=public/);
    expect(v.out).toMatch(/public values checked: output lm_head \(16\)\n/);
    expect(v.out).not.toMatch(/input tokens/);
  }, 120_000);

  it('weights=private is refused with the reason and the alternative', async () => {
    const r = await cli('setup', '--model', 'gpt2-tiny', '--visibility', 'weights=private', '--out', at('private'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/weights=private is refused: .*free witnesses.*Use weights=committed.*weights=fixed/);
    const fixed = await cli('setup', '--model', 'gpt2-tiny', '--visibility', 'input=fixed', '--out', at('private'));
    expect(fixed.code).toBe(2);
    expect(fixed.err).toMatch(/input=fixed would put one input into the keys/);
  });
});
