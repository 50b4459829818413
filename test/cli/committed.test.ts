/**
 * Issue 16 through the CLI: weights=committed (the default for presets).
 *  - setup → prove → verify is accepted; setup and verify print the weight
 *    fingerprint, which is settings.json's and that of vk.bin's commitments;
 *  - a prover holding other weights (one MLP weight moved; same calibration,
 *    so the same verifying key: the matrices are not in the circuit) is
 *    rejected by the first setup's vk.bin: exit 1, already by the circuit
 *    proof, whose transcript binds the weight fingerprint (its prover bound
 *    its own setup's, the verifier binds vk.bin's);
 *  - a tampered, malformed or missing weight opening (V, the masked openings
 *    of the weights and of the fold column): exit 1, never a crash;
 *  - a weight fingerprint or commitments written into the proof file change
 *    nothing (they come from vk.bin); a vk.bin carrying other commitments
 *    than settings.json fingerprints is refused (exit 2);
 *  - hiding is the default (vk.bin records it, pk.bin holds the blinds,
 *    verify prints "weights: committed (hiding)"); a binding-only setup of
 *    the same weights (`--weight-commitments binding`) proves and verifies
 *    on its own, but setup fixed the kind: its proofs and openings are
 *    rejected by the hiding vk.bin and vice versa, and relabelling vk.bin's
 *    kind is refused (exit 2).
 * gpt2-tiny at 3 tokens over the dev SRS: three setups and three proofs.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePkFile, decodeVkFile, encodeVkFile } from '../../src/cli/key-files.js';
import { cli, gpt2TinySafetensors, json, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'zktensor-committed-'));
const at = (...p: string[]) => join(dir, ...p);
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
const verifyA = (proof: string) => cli('verify', '--setup', at('a'), '--unsafe-dev-srs', proof);

/** A copy of proof A's file with `edit` applied, written under `name`. */
function edited(name: string, edit: (f: Record<string, unknown>) => Record<string, unknown>): string {
  const path = at(name);
  writeFileSync(path, JSON.stringify(edit(readJson(at('a.json')))));
  return path;
}

describe('zktensor with committed weights (vk.bin holds the commitments)', () => {
  const setups: Record<string, Run> = {};
  const proofs: Record<string, Run> = {};
  beforeAll(async () => {
    writeFileSync(at('other.safetensors'), gpt2TinySafetensors(0.05));
    const setup = (name: string, ...extra: string[]) => cli('setup', '--model', 'gpt2-tiny', '--tokens', '3', '--unsafe-dev-srs', '--out', at(name), '--quiet', ...extra);
    setups['a'] = await setup('a');
    setups['other'] = await setup('other', '--weights', at('other.safetensors'), '--json');
    setups['binding'] = await setup('binding', '--weight-commitments', 'binding');
    proofs['a'] = await cli('prove', '--setup', at('a'), '--input', 'the', '--out', at('a.json'), '--quiet');
    proofs['other'] = await cli('prove', '--setup', at('other'), '--input', 'the', '--out', at('other.json'), '--quiet');
    proofs['binding'] = await cli('prove', '--setup', at('binding'), '--input', 'the', '--out', at('binding.json'), '--quiet');
  }, 450_000);

  it('setup → prove → verify: accepted, with the weight fingerprint of vk.bin', async () => {
    for (const r of [...Object.values(setups), ...Object.values(proofs)]) expect(r.code, r.err).toBe(0);
    const s = readJson(at('a', 'settings.json'));
    expect(s['visibility']).toEqual({ input: 'public', weights: 'committed', output: 'public' });
    const wc = s['weightCommitment'] as { fingerprint: string; matrices: number };
    expect(wc.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(wc.matrices).toBeGreaterThan(1);
    expect(setups['a']!.out).toContain(`weight fingerprint ${wc.fingerprint}`);
    expect(setups['a']!.out).toContain('weights: committed (hiding)');
    // hiding by default: vk.bin records it, pk.bin (owner-only) holds one blind per committed row, the opening is 352 bytes (V, then π and Z twice)
    const vkFile = decodeVkFile(readFileSync(at('a', 'vk.bin')));
    expect(vkFile.weightsHiding).toBe(true);
    expect(decodePkFile(readFileSync(at('a', 'pk.bin'))).weightBlinds?.map((b) => b.length)).toEqual(vkFile.weights.map((w) => w.rows));
    if (process.platform !== 'win32') expect(statSync(at('a', 'pk.bin')).mode & 0o077).toBe(0);
    expect(readJson(at('a.json'))['weightOpening']).toMatch(/^[0-9a-f]{704}$/);
    const v = await verifyA(at('a.json'));
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toMatch(/^proof OK/);
    expect(v.out).toContain(`weight fingerprint ${wc.fingerprint} (${wc.matrices} committed matrices, from vk.bin)`);
    expect(v.out).toContain('weights: committed (hiding)');
    expect(v.out).toMatch(/visibility input=public, weights=committed, output=public/);
  });

  it('a proof by a prover holding other weights is rejected by the first vk.bin (exit 1)', async () => {
    const other = json(setups['other']!);
    const a = readJson(at('a', 'settings.json'));
    // the same circuit and verifying key: only the commitments tell the weights apart
    expect(other['fingerprint']).toBe(a['fingerprint']);
    expect(other['weightFingerprint']).not.toBe((a['weightCommitment'] as { fingerprint: string }).fingerprint);
    const v = await verifyA(at('other.json'));
    expect(v.code, v.out + v.err).toBe(1);
    // the challenges differ (another fingerprint absorbed), so the circuit proof fails before the opening is looked at
    expect(v.out).toMatch(/proof REJECTED: .*bound to vk\.bin's weight fingerprint/);
    // its own setup accepts it
    expect((await cli('verify', '--setup', at('other'), '--unsafe-dev-srs', at('other.json'))).code).toBe(0);
    // claiming the first setup's weight fingerprint in the proof file does not help
    const claimed = at('other-claimed.json');
    writeFileSync(claimed, JSON.stringify({ ...readJson(at('other.json')), weightFingerprint: (a['weightCommitment'] as { fingerprint: string }).fingerprint }));
    expect((await verifyA(claimed)).code).toBe(1);
  });

  it('a tampered, malformed or missing weight opening is rejected (exit 1, not a crash)', async () => {
    const opening = readJson(at('a.json'))['weightOpening'] as string;
    const flipHex = (h: string, i: number) => h.slice(0, i) + (h[i] === '0' ? '1' : '0') + h.slice(i + 1);
    // hex layout: V [0, 64), the weights' π [64, 128) and Z [128, 384), the fold column's π [384, 448) and Z [448, 704)
    const cases: [string, string | undefined, RegExp][] = [
      ['V', flipHex(opening, 1), /"weightOpening"|folded opening does not match/],
      ['V off the curve', '00'.repeat(32) + opening.slice(64), /"weightOpening"|folded opening does not match/],
      ['weights π', flipHex(opening, 65), /"weightOpening"|folded opening does not match/],
      ['weights Z off the curve', opening.slice(0, 128) + flipHex(opening.slice(128), 1), /"weightOpening": weight opening: Z is not a G2 point/],
      ['weights Z coordinate ≥ q', opening.slice(0, 128) + 'ff'.repeat(32) + opening.slice(192), /"weightOpening": weight opening: Z has a coordinate that is not below the field modulus/],
      ['weights Z at infinity', opening.slice(0, 128) + '00'.repeat(128) + opening.slice(384), /folded opening does not match/],
      ['fold π', flipHex(opening, 385), /"weightOpening"|circuit’s fold does not open/],
      ['fold Z at infinity', opening.slice(0, 448) + '00'.repeat(128), /circuit’s fold does not open/],
      ['openings swapped', opening.slice(0, 64) + opening.slice(384) + opening.slice(64, 384), /folded opening does not match/],
      ['the old hiding form (value, π, Z)', opening.slice(0, 384), /expected 352 bytes/],
      ['short', opening.slice(0, 100), /expected 352 bytes \(V, then π and Z twice\), got 50/],
      ['not hex', 'zz' + opening.slice(2), /"weightOpening" is not hex/],
      ['missing', undefined, /no "weightOpening"/],
    ];
    for (const [name, hex, reason] of cases) {
      const path = edited(`opening-${name}.json`, (f) => ({ ...f, weightOpening: hex }));
      const v = await verifyA(path);
      expect(v.code, `${name}: ${v.out}${v.err}`).toBe(1);
      expect(v.out, name).toMatch(/^proof REJECTED: /);
      expect(v.out, name).toMatch(reason);
    }
    // another proof's (valid) opening: right form, wrong claim
    const other = edited('opening-other.json', (f) => ({ ...f, weightOpening: readJson(at('other.json'))['weightOpening'] }));
    expect((await verifyA(other)).code).toBe(1);
  });

  it('a weight fingerprint or commitments in the proof file change nothing', async () => {
    const otherFp = json(setups['other']!)['weightFingerprint'] as string;
    const path = edited('claims.json', (f) => ({ ...f, weightFingerprint: otherFp, weightCommitment: { fingerprint: otherFp, matrices: 1 }, commitments: ['00'.repeat(32)] }));
    const v = await verifyA(path);
    expect(v.code, v.out + v.err).toBe(0);
    const wc = readJson(at('a', 'settings.json'))['weightCommitment'] as { fingerprint: string };
    expect(v.out).toContain(`weight fingerprint ${wc.fingerprint}`);
    expect(v.out).not.toContain(otherFp);
  });

  it('binding-only commitments (--weight-commitments binding) verify on their own; setup fixes the kind, not the proof file', async () => {
    const b = readJson(at('binding', 'settings.json'));
    const a = readJson(at('a', 'settings.json'));
    // the same weights and verifying key; the kind alone changes the weight fingerprint
    expect(b['fingerprint']).toBe(a['fingerprint']);
    expect((b['weightCommitment'] as { fingerprint: string }).fingerprint).not.toBe((a['weightCommitment'] as { fingerprint: string }).fingerprint);
    expect(setups['binding']!.out).toContain('weights: committed (binding only)');
    expect(decodeVkFile(readFileSync(at('binding', 'vk.bin'))).weightsHiding).toBe(false);
    expect(decodePkFile(readFileSync(at('binding', 'pk.bin'))).weightBlinds).toEqual([]);
    const bindingOpening = readJson(at('binding.json'))['weightOpening'] as string;
    expect(bindingOpening).toMatch(/^[0-9a-f]{704}$/);
    const own = await cli('verify', '--setup', at('binding'), '--unsafe-dev-srs', at('binding.json'));
    expect(own.code, own.out + own.err).toBe(0);
    expect(own.out).toContain('weights: committed (binding only)');
    // the binding proof against the hiding vk.bin: its circuit proof is bound to the other (binding) fingerprint
    const bindingAgainstA = await verifyA(at('binding.json'));
    expect(bindingAgainstA.code, bindingAgainstA.out + bindingAgainstA.err).toBe(1);
    expect(bindingAgainstA.out).toMatch(/proof REJECTED: .*bound to vk\.bin's weight fingerprint/);
    // its opening inside the hiding proof: the hiding commitments do not open to it
    const v0 = await verifyA(edited('a-binding-opening.json', (f) => ({ ...f, weightOpening: bindingOpening })));
    expect(v0.code, v0.out + v0.err).toBe(1);
    expect(v0.out).toMatch(/proof REJECTED: weights: the folded opening does not match/);
    // the hiding proof against the binding vk.bin, and a hiding opening inside the binding proof
    const hidingOpening = readJson(at('a.json'))['weightOpening'] as string;
    const bindingWithHiding = at('binding-hiding-opening.json');
    writeFileSync(bindingWithHiding, JSON.stringify({ ...readJson(at('binding.json')), weightOpening: hidingOpening }));
    for (const [path, reason] of [
      [at('a.json'), /proof REJECTED: .*bound to vk\.bin's weight fingerprint/],
      [bindingWithHiding, /proof REJECTED: weights: the folded opening does not match/],
    ] as const) {
      const v = await cli('verify', '--setup', at('binding'), '--unsafe-dev-srs', path);
      expect(v.code, v.out + v.err).toBe(1);
      expect(v.out).toMatch(reason);
    }
    // relabelling vk.bin's kind changes its weight fingerprint: refused against the settings it was made with (exit 2)
    writeFileSync(at('relabelled-vk.bin'), encodeVkFile({ ...decodeVkFile(readFileSync(at('a', 'vk.bin'))), weightsHiding: false }));
    const v = await cli('verify', '--vk', at('relabelled-vk.bin'), '--settings', at('a', 'settings.json'), '--unsafe-dev-srs', at('binding.json'));
    expect(v.code, v.out + v.err).toBe(2);
    expect(v.err).toMatch(/weight commitments \(fingerprint [0-9a-f]{16}…\) are not the \d+ that .*settings\.json fingerprints/);
  });

  it('a vk.bin whose commitments are not the ones settings.json fingerprints is refused (exit 2)', async () => {
    // the first vk.bin (its settings digest names the first settings.json) with the other setup's commitments
    const a = decodeVkFile(readFileSync(at('a', 'vk.bin')));
    const other = decodeVkFile(readFileSync(at('other', 'vk.bin')));
    writeFileSync(at('mixed-vk.bin'), encodeVkFile({ ...a, weights: other.weights }));
    const v = await cli('verify', '--vk', at('mixed-vk.bin'), '--settings', at('a', 'settings.json'), '--unsafe-dev-srs', at('a.json'));
    expect(v.code, v.out + v.err).toBe(2);
    expect(v.err).toMatch(/weight commitments \(fingerprint [0-9a-f]{16}…\) are not the \d+ that .*settings\.json fingerprints/);
  });
});
