/**
 * A model proved as linked per-layer segments through the CLI (`setup
 * --split layers`, models/chain.ts underneath): gpt2-tiny (1 block → 3
 * segments: embedding, block, head) over the dev SRS.
 *  - setup writes settings.json version 2 with the split (cuts, keys, each
 *    segment's key, weight fingerprint and slice of the public values) and
 *    the split containers (ZKVC / ZKPC); prove reports progress and timing
 *    per segment; verify checks every segment and link and prints what;
 *  - rejected (exit 1): segment proofs swapped, a segment proof from
 *    another input's proof file (valid alone: the link reason), other
 *    logits, a flipped byte, a bad opening, missing or extra segments, the
 *    proofs of another setup's weights;
 *  - refused (exit 2): a settings.json edited to claim fewer segments, a
 *    vk.bin from another setup, a single circuit's key files with a split
 *    settings.json and the reverse, a single circuit's proof file, a split
 *    without committed weights or of a graph that is not GPT-2;
 *  - gpt2-small: `--split none` still refuses for memory before any work,
 *    `info` at 16 tokens reports the split (automatic when one circuit
 *    does not fit this machine);
 *  - the containers round-trip and every malformed one is a KeyFileError.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { G2_GENERATOR, g2FromNoble, NobleG2Point } from '../../src/curve/curve.js';
import { G1_GENERATOR } from '../../src/curve/g1.js';
import { Fr } from '../../src/field/index.js';
import { verifierGroup } from '../../src/pcs/index.js';
import { compileModel, estimateCost, getPreset, presetGraph, presetQuant } from '../../src/models/index.js';
import { decodeChainPkFile, decodeChainVkFile, encodeChainPkFile, encodeChainVkFile } from '../../src/cli/chain-files.js';
import { decodePkFile, decodeVkFile, KeyFileError } from '../../src/cli/key-files.js';
import { chainFingerprint, chainWeightFingerprint } from '../../src/cli/settings.js';
import { decideSplit } from '../../src/cli/split.js';
import { UsageError } from '../../src/cli/errors.js';
import { cli, json, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-chain-'));
const at = (...p: string[]) => join(dir, ...p);
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
const fixtures = resolve(__dirname, '../fixtures/onnx');
type Segment = { proof: string; weightOpening: string };
const segmentsOf = (p: string) => readJson(p)['segments'] as Segment[];
const verifyA = (proof: string, ...extra: string[]) => cli('verify', '--setup', at('a'), '--unsafe-dev-srs', ...extra, proof);

/** A copy of proof A's file with `edit` applied, written under `name`. */
function edited(name: string, edit: (f: Record<string, unknown>) => Record<string, unknown>): string {
  const path = at(name);
  writeFileSync(path, JSON.stringify(edit(readJson(at('a.json')))));
  return path;
}

describe('zktensor with a model split into linked segments (gpt2-tiny, --split layers)', () => {
  const runs: Record<string, Run> = {};
  beforeAll(async () => {
    const setup = (name: string, ...extra: string[]) => cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--unsafe-dev-srs', '--out', at(name), '--quiet', ...extra);
    runs['setupA'] = await setup('a', '--split', 'layers', '--json');
    runs['setupB'] = await setup('b', '--split', 'layers');
    runs['single'] = await setup('single', '--split', 'none');
    runs['proveA'] = await cli('prove', '--setup', at('a'), '--input', 'the', '--out', at('a.json'), '--json');
    runs['proveB'] = await cli('prove', '--setup', at('a'), '--input', 'sun', '--out', at('b.json'), '--quiet');
  }, 240_000);

  it('setup records the split; prove reports each segment; verify checks every segment and link', async () => {
    for (const [name, r] of Object.entries(runs)) expect(r.code, `${name}: ${r.err}`).toBe(0);
    const s = readJson(at('a', 'settings.json'));
    expect(s).toMatchObject({ version: 2, k: 11, model: { kind: 'preset', name: 'gpt2-tiny', tokens: 3 }, visibility: { weights: 'committed' } });
    const split = s['split'] as { cuts: string[]; keys: string[]; segments: { name: string; key: number; weightCommitment: { fingerprint: string }; publicValues: { offset: number; length: number } }[] };
    expect(split.cuts).toEqual(['embed', 'h0.res2']);
    expect(split.keys).toHaveLength(3);
    expect(split.segments.map((x) => x.key)).toEqual([0, 1, 2]);
    // the first segment publishes the tokens, the last the logits, the block nothing
    expect(split.segments.map((x) => x.publicValues)).toEqual([{ offset: 0, length: 3 }, { offset: 3, length: 0 }, { offset: 3, length: 16 }]);
    expect(json(runs['setupA']!)).toMatchObject({ ok: true, k: 11, split: { segments: 3, cuts: ['embed', 'h0.res2'], keyOf: [0, 1, 2], auto: false }, weightsHiding: true });
    // the split containers: the single circuit's readers refuse them by name
    const vk = decodeChainVkFile(readFileSync(at('a', 'vk.bin')));
    expect(vk.vks).toHaveLength(3);
    expect(vk.segments.map((x) => x.weightsHiding)).toEqual([true, true, true]);
    const pk = decodeChainPkFile(readFileSync(at('a', 'pk.bin')));
    expect(pk.segments.map((x) => x.blinds.map((b) => b.length))).toEqual(vk.segments.map((x) => x.weights.map((w) => w.rows)));
    if (process.platform !== 'win32') expect(statSync(at('a', 'pk.bin')).mode & 0o077).toBe(0);
    expect(() => decodeVkFile(readFileSync(at('a', 'vk.bin')))).toThrow(/expected the "ZKVB" magic .*that is a split model's vk\.bin/);
    expect(() => decodePkFile(readFileSync(at('a', 'pk.bin')))).toThrow(/expected the "ZKPB" magic .*that is a split model's pk\.bin/);

    // prove: progress per segment, timing per segment in --json, one {proof, weightOpening} per segment
    expect(runs['proveA']!.progress).toMatch(/\[prove\] 3\/4 step 2\/3 segment 1 /);
    expect(runs['proveA']!.progress).toMatch(/\[prove\] 3\/4 step 3\/3 segment 2 \(last\)/);
    const p = json(runs['proveA']!);
    expect((p['segments'] as { name: string; seconds: number }[]).map((x) => x.name)).toEqual(['segment 0 (first)', 'segment 1', 'segment 2 (last)']);
    for (const x of p['segments'] as { seconds: number; proofBytes: number }[]) {
      expect(x.seconds).toBeGreaterThan(0);
      expect(x.proofBytes).toBeGreaterThan(192);
    }
    const file = readJson(at('a.json'));
    expect(file['fingerprint']).toBe(s['fingerprint']);
    expect((file['instances'] as string[][]).map((c) => c.length)).toEqual([19]);
    expect(segmentsOf(at('a.json')).map((x) => x.weightOpening.length)).toEqual([704, 704, 704]);

    const v = await verifyA(at('a.json'));
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toMatch(/^proof OK: gpt2-tiny as 3 linked segments \(k = 11\)/);
    expect(v.out).toContain('segments: 3 from settings.json (cut after embed, h0.res2); 2 links checked');
    expect(v.out).toContain(`model fingerprint ${s['fingerprint']}`);
    split.keys.forEach((k, i) => expect(v.out).toContain(`${i} ${k.slice(0, 16)}… (segment ${i})`));
    split.segments.forEach((x) => expect(v.out).toContain(`${x.name}: weights ${x.weightCommitment.fingerprint}`));
    expect(v.out).toContain(`weight fingerprint ${(s['weightCommitment'] as { fingerprint: string }).fingerprint} (8 committed matrices in 3 segments, from vk.bin)`);
    expect(v.out).toContain('weights: committed (hiding)');
    expect(v.out).toContain('public values checked: input tokens (3, segment 0), output lm_head (16, segment 2)');
    expect(v.out).toMatch(/input tokens: "the" \[2, 8, 1\]/);
    // the proved next token is the arg max of the checked logits
    const vj = json(await verifyA(at('a.json'), '--json'));
    const logits = (vj['public'] as { name: string; values: number[] }[]).find((x) => x.name === 'lm_head')!.values;
    const next = vj['next'] as { id: number; text: string };
    expect(next.id).toBe(logits.indexOf(Math.max(...logits)));
    expect(v.out).toContain(`next token: ${next.id} ${JSON.stringify(next.text)}`);
    expect(vj).toMatchObject({ ok: true, segments: 3, links: 2, keyOf: [0, 1, 2], weightsHiding: true });
    // mock checks each segment's circuit
    const m = await cli('mock', '--setup', at('a'), '--input', 'the');
    expect(m.code, m.out + m.err).toBe(0);
    expect(m.out).toMatch(/mock OK: gpt2-tiny as 3 linked segments \(k = 11\)/);
  });

  it('rejects swapped segments, a segment of another input, other logits, flipped bytes and missing segments (exit 1)', async () => {
    const a = segmentsOf(at('a.json'));
    const b = segmentsOf(at('b.json'));
    const bInstances = readJson(at('b.json'))['instances'] as string[][];
    const flip = (b64: string, i: number) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[i] = bytes[i]! ^ 1;
      return bytes.toString('base64');
    };
    const p = Fr.p;
    const column = (readJson(at('a.json'))['instances'] as string[][])[0]!;
    const cases: [string, (f: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
      // B's block proof is valid on its own (no public values), but its input is B's embedding: only the link tells
      ['a segment from another input', (f) => ({ ...f, segments: [a[0], b[1], a[2]] }), /^proof REJECTED: segment 1: its input is not the previous segment's output/],
      ['swapped block and head', (f) => ({ ...f, segments: [a[0], a[2], a[1]] }), /^proof REJECTED: segment 1: /],
      ['swapped embedding and block', (f) => ({ ...f, segments: [a[1], a[0], a[2]] }), /^proof REJECTED: segment 0 \(first\): /],
      ['all of B with A\'s public values', (f) => ({ ...f, segments: b }), /^proof REJECTED: segment 0 \(first\): /],
      ['A with B\'s public values', (f) => ({ ...f, instances: bInstances }), /^proof REJECTED: segment 0 \(first\): /],
      ['other logits', (f) => ({ ...f, instances: [column.map((v, i) => (i === 10 ? String((BigInt(v) + 1n) % p) : v))] }), /^proof REJECTED: segment 2 \(last\): /],
      ['a flipped byte', (f) => ({ ...f, segments: [a[0], { ...a[1]!, proof: flip(a[1]!.proof, 700) }, a[2]] }), /^proof REJECTED: segment 1: /],
      ['a tampered opening', (f) => ({ ...f, segments: [a[0], a[1], { ...a[2]!, weightOpening: (a[2]!.weightOpening[0] === '0' ? '1' : '0') + a[2]!.weightOpening.slice(1) }] }), /^proof REJECTED: segment 2 \(last\): ("weightOpening": |weights: )/],
      ['a missing opening', (f) => ({ ...f, segments: [a[0], { proof: a[1]!.proof }, a[2]] }), /^proof REJECTED: segment 1: the proof file has no "weightOpening"/],
      ['a missing segment', (f) => ({ ...f, segments: a.slice(0, 2) }), /^proof REJECTED: expected 3 segment proofs \(settings\.json's segments\), got 2/],
      ['an extra segment', (f) => ({ ...f, segments: [...a, a[1]] }), /^proof REJECTED: expected 3 segment proofs \(settings\.json's segments\), got 4/],
      ['a short public column', (f) => ({ ...f, instances: [column.slice(0, 18)] }), /^proof REJECTED: expected one column of 19 public values/],
      ['a public value ≥ p', (f) => ({ ...f, instances: [column.map((v, i) => (i === 0 ? String(p) : v))] }), /not a field element/],
    ];
    for (const [name, edit, reason] of cases) {
      const v = await verifyA(edited(`${name}.json`, edit));
      expect(v.code, `${name}: ${v.out}${v.err}`).toBe(1);
      expect(v.out, name).toMatch(reason);
    }
    // B's own file is fine
    expect((await verifyA(at('b.json'))).code).toBe(0);
  });

  it('another setup\'s keys: its vk.bin with these settings is refused (exit 2); its own settings reject this proof (exit 1)', async () => {
    const mixed = await cli('verify', '--vk', at('b', 'vk.bin'), '--settings', at('a', 'settings.json'), '--unsafe-dev-srs', at('a.json'));
    expect(mixed.code, mixed.out + mixed.err).toBe(2);
    expect(mixed.err).toMatch(/settings\.json is not the settings .*vk\.bin was made with \(its digest differs\)/);
    // the same circuits (same keys over the dev SRS), but other blinds: every segment proof is bound to A's weight fingerprints
    expect(readJson(at('b', 'settings.json'))['fingerprint']).toBe(readJson(at('a', 'settings.json'))['fingerprint']);
    const own = await cli('verify', '--setup', at('b'), '--unsafe-dev-srs', at('a.json'));
    expect(own.code, own.out + own.err).toBe(1);
    expect(own.out).toMatch(/^proof REJECTED: segment 0 \(first\): .*bound to vk\.bin's weight fingerprint/);
  });

  it('a settings.json edited to claim fewer segments is refused (exit 2)', async () => {
    const s = readJson(at('a', 'settings.json'));
    const split = s['split'] as { cuts: string[]; keys: string[]; segments: { key: number; weightCommitment: { fingerprint: string; matrices: number } }[] };
    // a careless edit: settings.json's own checks refuse it
    const careless = at('settings-careless.json');
    writeFileSync(careless, JSON.stringify({ ...s, split: { ...split, cuts: split.cuts.slice(0, 1), segments: [split.segments[0], split.segments[2]] } }));
    const c = await cli('verify', '--vk', at('a', 'vk.bin'), '--settings', careless, '--unsafe-dev-srs', at('a.json'));
    expect(c.code, c.out + c.err).toBe(2);
    expect(c.err).toMatch(/settings: .*settings-careless\.json: expected "split\.keys": every key used by a segment/);
    // a consistent one (the block dropped with its key; the fingerprints recomputed): not the settings vk.bin was made with
    const keys = [split.keys[0]!, split.keys[2]!];
    const segments = [split.segments[0]!, { ...split.segments[2]!, key: 1 }];
    const weightCommitment = { fingerprint: chainWeightFingerprint(segments.map((x) => x.weightCommitment.fingerprint)), matrices: segments.reduce((a, x) => a + x.weightCommitment.matrices, 0) };
    const fewer = at('settings-fewer.json');
    writeFileSync(fewer, JSON.stringify({ ...s, fingerprint: chainFingerprint(keys, [0, 1]), weightCommitment, split: { ...split, cuts: split.cuts.slice(0, 1), keys, segments } }));
    const f = await cli('verify', '--vk', at('a', 'vk.bin'), '--settings', fewer, '--unsafe-dev-srs', at('a.json'));
    expect(f.code, f.out + f.err).toBe(2);
    expect(f.err).toMatch(/settings-fewer\.json is not the settings .*vk\.bin was made with \(its digest differs\)/);
  });

  it('a single circuit\'s key files with a split settings.json, and the reverse, are refused (exit 2)', async () => {
    const v1 = await cli('verify', '--vk', at('single', 'vk.bin'), '--settings', at('a', 'settings.json'), '--unsafe-dev-srs', at('a.json'));
    expect(v1.code).toBe(2);
    expect(v1.err).toMatch(/vk\.bin holds a single circuit's key, but .*settings\.json describes gpt2-tiny proved as 3 linked segments/);
    const v2 = await cli('verify', '--vk', at('a', 'vk.bin'), '--settings', at('single', 'settings.json'), '--unsafe-dev-srs', at('a.json'));
    expect(v2.code).toBe(2);
    expect(v2.err).toMatch(/vk\.bin holds the keys of a model proved as linked segments, but .*settings\.json describes a single circuit/);
    const p1 = await cli('prove', '--pk', at('single', 'pk.bin'), '--settings', at('a', 'settings.json'), '--input', 'the', '--out', at('x.json'));
    expect(p1.code).toBe(2);
    expect(p1.err).toMatch(/pk\.bin holds a single circuit's key/);
    // a split proof file against the single setup, and a single circuit's proof file against the split one
    const s1 = await cli('verify', '--setup', at('single'), '--unsafe-dev-srs', at('a.json'));
    expect(s1.code).toBe(2);
    expect(s1.err).toMatch(/proof file: it holds 3 segment proofs \(a model proved as linked segments\), but the settings describe a single circuit/);
    const single = edited('single-shaped.json', (f) => ({ ...f, segments: undefined, proof: segmentsOf(at('a.json'))[0]!.proof }));
    const s2 = await verifyA(single);
    expect(s2.code).toBe(2);
    expect(s2.err).toMatch(/proof file: it holds a single circuit's proof, but the settings describe a model proved as linked segments/);
  });

  it('a split needs committed weights and a GPT-2 graph; --split takes auto, layers or none (exit 2)', async () => {
    const fixed = await cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--split', 'layers', '--visibility', 'weights=fixed', '--unsafe-dev-srs', '--out', at('fixed'));
    expect(fixed.code).toBe(2);
    expect(fixed.err).toMatch(/--split layers: a model proved as linked segments needs weights=committed .*got weights=fixed/);
    const onnx = await cli('setup', '--model', join(fixtures, 'mlp.onnx'), '--calibration', join(fixtures, 'mlp.json'), '--split', 'layers', '--out', at('mlp'));
    expect(onnx.code).toBe(2);
    expect(onnx.err).toMatch(/--split layers: mlp cannot be cut into layers \(gpt2Cuts: .*no node "embed"/);
    const bad = await cli('setup', '--model', 'gpt2-tiny', '--split', 'rows', '--out', at('x'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--split: expected auto, layers or none, got "rows"/);
    // info shows the segment circuits of a split
    const info = await cli('info', '--model', 'gpt2-tiny', '--tokens', '3', '--split', 'layers');
    expect(info.code, info.err).toBe(0);
    expect(info.out).toMatch(/as linked segments \(--split layers\):\nsplit into 3 linked segments .* all at k = 11; 3 distinct circuits/);
    expect(info.out).toMatch(/ {2}block circuit \(segment 1\): rows \d+ .*\n {4}rows by op: .*cmatmul \d+/);
    expect(info.out).toMatch(/estimate for the chain \(rough\): .* fits this machine/);
  });
});

describe('--split auto (the decision) and gpt2-small', () => {
  const p = getPreset('gpt2-tiny');
  const graph = presetGraph(p, 3);
  const input = (weights: 'committed' | 'fixed') => {
    const params = compileModel(graph, presetQuant(p), { visibility: { weights }, fixedColumns: p.fixedColumns });
    return { name: 'gpt2-tiny', params, cost: estimateCost(params), visibility: { input: 'public', weights, output: 'public' } as const };
  };

  it('auto splits a GPT-2 graph only when one circuit exceeds the machine, and only with committed weights', () => {
    const committed = input('committed');
    const need = committed.cost.estimate.memoryBytes;
    expect(decideSplit('auto', committed, need).cuts).toBeUndefined();
    expect(decideSplit('auto', committed, need - 1).cuts).toEqual(['embed', 'h0.res2']);
    expect(decideSplit('none', committed, 1).cuts).toBeUndefined();
    expect(decideSplit('layers', committed, 2 ** 50).cuts).toEqual(['embed', 'h0.res2']);
    const fixed = input('fixed');
    const d = decideSplit('auto', fixed, 1);
    expect(d.cuts).toBeUndefined();
    expect(d.hint).toMatch(/with weights=committed it could be proved as 3 linked segments/);
    expect(() => decideSplit('layers', fixed)).toThrow(UsageError);
  });

  it('gpt2-small: --split none still refuses for memory before any work (exit 2); info at 16 tokens reports the split', async () => {
    const t0 = performance.now();
    const r = await cli('setup', '--model', 'gpt2-small', '--tokens', '16', '--split', 'none', '--out', at('small'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/setup: gpt2-small needs about [\d.]+ GiB of memory \(k = \d+\), this machine has [\d.]+ GiB; refusing before starting \(pass --force to try anyway\)/);
    expect(performance.now() - t0).toBeLessThan(30_000);
    const info = await cli('info', '--model', 'gpt2-small', '--tokens', '16', '--json');
    expect(info.code, info.err).toBe(0);
    const j = json(info);
    const whole = (j['estimate'] as { memoryBytes: number }).memoryBytes;
    const split = j['split'] as { segments: number; k: number; circuits: { segments: number[]; k: number }[]; fits: boolean; memoryBytes: number; why: string } | undefined;
    // auto: split exactly when one circuit does not fit this machine
    expect(split !== undefined).toBe(whole > totalmem());
    if (split) {
      expect(split.why).toMatch(/^split automatically: as one circuit it needs about/);
      expect(split.segments).toBe(14);
      expect(split.circuits.map((c) => c.segments)).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [13]]);
      for (const c of split.circuits) expect(c.k).toBeLessThanOrEqual(split.k);
      expect(split.memoryBytes).toBeLessThan(whole);
      expect(split.fits).toBe(split.memoryBytes <= totalmem());
    }
  }, 90_000);
});

describe('the split key containers', () => {
  const tauG2 = g2FromNoble(NobleG2Point.BASE.multiply(987654321n));
  const g1 = (k: bigint) => verifierGroup.lincomb([G1_GENERATOR], [k]);
  const w = (name: string, rows: number) => ({ name, rows, cols: 3, commitments: Array.from({ length: rows }, (_, i) => g1(BigInt(i + 2))) });
  const segments = [
    { key: 0, weights: [w('wte', 2)], weightsHiding: true },
    { key: 1, weights: [w('h0.q', 1), w('h0.fc', 2)], weightsHiding: true },
    { key: 1, weights: [w('h1.q', 1), w('h1.fc', 2)], weightsHiding: true },
    { key: 2, weights: [w('lm', 1)], weightsHiding: true },
  ];
  const vkFile = { settingsDigest: new Uint8Array(32).fill(5), g2: G2_GENERATOR, sG2: tauG2, vks: [new Uint8Array(10).fill(1), new Uint8Array(7).fill(2), new Uint8Array(3).fill(3)], segments };
  const pkFile = {
    settingsDigest: new Uint8Array(32).fill(6),
    srs: new Uint8Array(20).fill(9),
    pks: [new Uint8Array(5).fill(1), new Uint8Array(4).fill(2), new Uint8Array(6).fill(3)],
    segments: segments.map((s) => ({ ...s, blinds: s.weights.map((x) => Array.from({ length: x.rows }, (_, i) => Fr.p - 1n - BigInt(i))) })),
  };

  it('round-trip: keys stored once, segments sharing a key', () => {
    const v = decodeChainVkFile(encodeChainVkFile(vkFile));
    expect(v.segments).toEqual(segments);
    expect(v.vks.map((x) => Array.from(x))).toEqual(vkFile.vks.map((x) => Array.from(x)));
    expect(v.sG2).toEqual(tauG2);
    const p = decodeChainPkFile(encodeChainPkFile(pkFile));
    expect(p.segments).toEqual(pkFile.segments);
    expect(p.pks.map((x) => Array.from(x))).toEqual(pkFile.pks.map((x) => Array.from(x)));
    expect(Array.from(p.settingsDigest)).toEqual(Array.from(pkFile.settingsDigest));
  });

  it('every truncation, a bad key index, an unused key and blinds that do not fit are KeyFileErrors', () => {
    const vk = encodeChainVkFile(vkFile);
    const pk = encodeChainPkFile(pkFile);
    for (let n = 0; n < vk.length; n += 3) expect(() => decodeChainVkFile(vk.subarray(0, n))).toThrow(KeyFileError);
    for (let n = 0; n < pk.length; n += 7) expect(() => decodeChainPkFile(pk.subarray(0, n))).toThrow(KeyFileError);
    expect(() => decodeChainVkFile(new Uint8Array([...vk, 0]))).toThrow(/1 unexpected bytes after the end/);
    expect(() => encodeChainVkFile({ ...vkFile, segments: [...segments, { ...segments[0]!, key: 3 }] })).toThrow(/segment 4 uses key 3, expected one of 0…2/);
    expect(() => encodeChainVkFile({ ...vkFile, segments: segments.filter((s) => s.key !== 1) })).toThrow(/3 keys, but the segments use only 2/);
    expect(() => encodeChainPkFile({ ...pkFile, segments: pkFile.segments.map((s, j) => (j === 1 ? { ...s, blinds: [[1n]] } : s)) })).not.toThrow();
    expect(() => decodeChainPkFile(encodeChainPkFile({ ...pkFile, segments: pkFile.segments.map((s, j) => (j === 1 ? { ...s, blinds: [[1n]] } : s)) }))).toThrow(/segment 1 has hiding commitments to 2 matrices of \[1, 2\] rows, but blinds for 1 of \[1\]/);
    expect(() => decodeChainVkFile(singleVkBytes())).toThrow(/expected the "ZKVC" magic .*that is a single circuit's vk\.bin/);
  });
});

/** A single circuit's vk.bin (for the magic check). */
function singleVkBytes(): Uint8Array {
  const b = new Uint8Array(8 + 32 + 256);
  b.set(new TextEncoder().encode('ZKVB'), 0);
  return b;
}
