/**
 * `zktensor verify --vk vk.bin [--settings settings.json] proof.json`.
 *
 * What is checked comes from vk.bin and settings.json only: the VK and the
 * SRS's G2 points inside vk.bin, the settings bound to it by digest (the
 * model's name, visibility, scale and the layout of the public values).
 * From the proof file only the public values and the proof bytes are read
 * (and its `fingerprint`, which must name this vk); no model file, weights
 * or SRS file is needed or consulted. With weights=committed the weight
 * commitments are vk.bin's (their fingerprint is in settings.json), and so
 * is whether they are hiding, which decides the check: the proof file
 * brings only the folded opening, checked against them as vk.bin says (an
 * opening of the other kind is rejected). A vk over an SRS whose τ is
 * public is refused unless `--unsafe-dev-srs`.
 *
 * A split model (settings.json's "split", vk.bin "ZKVC"): the segment list,
 * each segment's verifying key and weight commitments come from vk.bin and
 * settings.json; the proof file brings one {proof, weightOpening} per
 * segment and the public values (the first segment's inputs, the last
 * one's outputs). Each segment proof is checked as above, then every link:
 * segment j's input commitment must be segment j − 1's output commitment.
 *
 * Exit 0 accepted, 1 rejected, 2 when the keys or files are unusable.
 */
import { G1_GENERATOR } from '../curve/g1.js';
import { Fr } from '../field/bn254.js';
import { decodeVk, verify, type VerifierParams, type VerifyingKey } from '../plonkish/backend/index.js';
import { srsId, verifierGroup } from '../pcs/index.js';
import { type Args, type CommandSpec, has, readBytes, readText } from './args.js';
import { type CommandIo, EXIT_OK, EXIT_REJECTED, visibilityText } from './common.js';
import { RefusedError, UsageError } from './errors.js';
import { verifyWithWeights, weightFingerprint, weightsText } from './committed-weights.js';
import { decodeVkFile, KeyFileError } from './key-files.js';
import { decodeChainVkFile } from './chain-files.js';
import { parseChainProofFile, parseProofFile } from './proof-file.js';
import { checkKeyKind, type VerifierSegment, verifySegments } from './split.js';
import { adviceIndex } from '../models/chain.js';
import type { G2Affine } from '../curve/curve.js';
import { LINK_IN, LINK_OUT } from '../models/index.js';
import { keyPaths } from './prove.js';
import { publicView } from './public-values.js';
import { fingerprintHex, readSettings, sameDigest, type Settings, settingsDigest, shortHex } from './settings.js';
import { isPublicTau, srsIdentity } from './srs-source.js';

export const VERIFY: CommandSpec = {
  name: 'verify',
  summary: 'verify a proof against vk.bin and settings.json (never the model)',
  help: `usage: zktensor verify (--vk vk.bin [--settings settings.json] | --setup DIR) proof.json

  --vk FILE          the verifying key setup wrote (it holds the SRS's G2 points)
  --settings FILE    the settings setup wrote (default: settings.json beside vk.bin);
                     it must be the one vk.bin was made with
  --setup DIR        the folder setup wrote
  --unsafe-dev-srs   accept a vk over the well-known dev SRS (public τ: forgeable)
  --json             a JSON result

Only the public values, the proof bytes and the weight opening are read from
the proof file; whether the weight commitments are hiding comes from vk.bin
(printed as "weights: committed (hiding)" or "(binding only)"). A model set
up as linked segments (setup --split) is checked segment by segment, in the
order and with the keys settings.json and vk.bin give, and every link
between neighbouring segments; "proof OK" names the number of segments.
Exit 0 accepted, 1 rejected, 2 unusable keys or files.`,
  options: { vk: 'string', settings: 'string', setup: 'string', 'unsafe-dev-srs': 'boolean', json: 'boolean', quiet: 'boolean' },
  positionals: 1,
};

/** What both kinds of vk.bin share: the settings digest, the SRS's G2 points (identity checked; a public τ refused unless --unsafe-dev-srs). */
function checkKeyHead(args: Args, f: { settingsDigest: Uint8Array; g2: G2Affine; sG2: G2Affine }, settings: Settings, keyPath: string, settingsPath: string): { identity: string; dev: boolean } {
  if (!sameDigest(f.settingsDigest, settingsDigest(settings))) {
    throw new KeyFileError(`${settingsPath} is not the settings ${keyPath} was made with (its digest differs): a changed scale, visibility, name or segment list is not the statement this key checks`);
  }
  const identity = srsIdentity(f);
  if (identity !== settings.srs.identity) throw new KeyFileError(`${keyPath}: its SRS (${shortHex(identity)}…) is not the one ${settingsPath} names (${shortHex(settings.srs.identity)}…)`);
  const dev = settings.srs.kind === 'unsafe-dev' || isPublicTau(f.sG2);
  if (dev && !has(args, 'unsafe-dev-srs')) {
    throw new RefusedError(`${keyPath} is over the well-known development SRS: its τ is public, so anyone can forge proofs that pass. Refusing; make keys with setup (a random or ceremony SRS), or pass --unsafe-dev-srs for tests`);
  }
  return { identity, dev };
}

/** A verifying key from vk.bin's bytes (a KeyFileError naming the file otherwise). */
function readVk(bytes: Uint8Array, f: { g2: G2Affine; sG2: G2Affine }, keyPath: string, what = ''): VerifyingKey {
  try {
    return decodeVk(bytes, { srsId: srsId(f) });
  } catch (e) {
    throw new KeyFileError(`${keyPath}: ${what}${(e as Error).message}`);
  }
}

export async function cmdVerify(args: Args, io: CommandIo): Promise<number> {
  const proofPath = args.positional[0];
  if (!proofPath) throw new UsageError('verify: expected the proof file, e.g. zktensor verify --vk keys/vk.bin proof.json');
  const { keyPath, settingsPath } = keyPaths(args, 'vk');
  const keyBytes = readBytes(keyPath, '--vk');
  const settings = readSettings(settingsPath);
  checkKeyKind(keyBytes, settings, keyPath, settingsPath, 'vk');
  if (settings.split) return verifySplit(args, io, { settings, keyBytes, keyPath, settingsPath, proofPath });
  const vkFile = decodeVkFile(keyBytes);
  const { identity, dev } = checkKeyHead(args, vkFile, settings, keyPath, settingsPath);
  const vk = readVk(vkFile.vk, vkFile, keyPath);
  if (fingerprintHex(vk.digest) !== settings.fingerprint) throw new KeyFileError(`${keyPath}: its verifying key is not the one ${settingsPath} fingerprints`);
  const weights = settings.weightCommitment;
  if (weights) {
    const got = weightFingerprint(vkFile.weights, vkFile.weightsHiding);
    if (vkFile.weights.length !== weights.matrices || got !== weights.fingerprint) {
      throw new KeyFileError(`${keyPath}: its ${vkFile.weights.length} weight commitments (fingerprint ${shortHex(got)}…) are not the ${weights.matrices} that ${settingsPath} fingerprints (${shortHex(weights.fingerprint)}…)`);
    }
  } else if (vkFile.weights.length) {
    throw new KeyFileError(`${keyPath} holds weight commitments, but ${settingsPath} says weights=${settings.visibility.weights}`);
  }
  const file = parseProofFile(readText(proofPath, 'proof file'));
  const reject = rejecter(args, io);
  if (file.fingerprint !== undefined && file.fingerprint !== settings.fingerprint) {
    return reject(`the proof was made for the verifying key ${shortHex(file.fingerprint)}…, this one is ${shortHex(settings.fingerprint)}… (another model, setup or SRS)`);
  }
  const column = publicColumn(settings, file.instances);
  if (typeof column === 'string') return reject(column);
  const t0 = performance.now();
  const vp = verifierParams(vkFile);
  const result = weights ? verifyWithWeights(vk, file.proof, file.weightOpening, file.instances, vp, vkFile.weights, vkFile.weightsHiding) : verify(vk, file.proof, file.instances, vp);
  const verifySeconds = +((performance.now() - t0) / 1000).toFixed(3);
  if (!result.ok) return reject(result.reason ?? 'the proof does not verify');

  const view = await publicView(settings, column);
  const checked = settings.publicValues.map((s) => `${s.role} ${s.name} (${s.length})`);
  const about = { model: settings.name, fingerprint: settings.fingerprint, ...(weights ? { weightFingerprint: weights.fingerprint, weightsHiding: vkFile.weightsHiding } : {}), srs: { identity, kind: settings.srs.kind }, visibility: settings.visibility, scale: settings.scale, k: vk.k };
  if (has(args, 'json')) io.out(JSON.stringify({ ok: true, ...about, verifySeconds, checked: settings.publicValues, public: view.values, ...(view.next ? { next: view.next } : {}) }));
  else {
    io.out(`proof OK: ${settings.name} (k = ${vk.k}), verified in ${verifySeconds} s`);
    io.out(`model fingerprint ${settings.fingerprint} (from vk.bin)`);
    if (weights) {
      io.out(`weight fingerprint ${weights.fingerprint} (${weights.matrices} committed matrices, from vk.bin)`);
      io.out(`weights: ${weightsText(vkFile.weightsHiding)}`);
    }
    io.out(`SRS ${settings.srs.kind} ${identity}${dev ? ' — UNSAFE: public τ' : ''}`);
    io.out(`visibility ${visibilityText(settings.visibility)}; scale 2^${settings.scale}`);
    io.out(`public values checked: ${checked.join(', ') || 'none'}`);
    view.lines.forEach((l) => io.out(l));
  }
  return EXIT_OK;
}

/** Print a rejection (exit 1). */
const rejecter = (args: Args, io: CommandIo) => (reason: string) => {
  if (has(args, 'json')) io.out(JSON.stringify({ ok: false, reason }));
  else io.out(`proof REJECTED: ${reason}`);
  return EXIT_REJECTED;
};

const verifierParams = (f: { g2: G2Affine; sG2: G2Affine }): VerifierParams => ({ g1: G1_GENERATOR, g2: f.g2, sG2: f.sG2, group: verifierGroup });

interface SplitVerify {
  readonly settings: Settings;
  readonly keyBytes: Uint8Array;
  readonly keyPath: string;
  readonly settingsPath: string;
  readonly proofPath: string;
}

/**
 * verify for a model proved as linked segments: the segment list, each
 * segment's key and weight commitments from vk.bin (checked against
 * settings.json's fingerprints), each segment proof and its opening, then
 * the links (split.ts's verifySegments).
 */
async function verifySplit(args: Args, io: CommandIo, o: SplitVerify): Promise<number> {
  const { settings, keyPath, settingsPath } = o;
  const split = settings.split!;
  const vkFile = decodeChainVkFile(o.keyBytes);
  const { identity, dev } = checkKeyHead(args, vkFile, settings, keyPath, settingsPath);
  // bound by the digest already: a mismatch below is a file made by hand
  const keyOf = split.segments.map((s) => s.key);
  if (vkFile.vks.length !== split.keys.length || vkFile.segments.map((s) => s.key).join() !== keyOf.join()) {
    throw new KeyFileError(`${keyPath}: its ${vkFile.vks.length} keys for ${vkFile.segments.length} segments are not the ${split.keys.length} keys for ${keyOf.length} segments that ${settingsPath} lists`);
  }
  const vks = vkFile.vks.map((bytes, i) => {
    const vk = readVk(bytes, vkFile, keyPath, `key ${i}: `);
    if (fingerprintHex(vk.digest) !== split.keys[i]) throw new KeyFileError(`${keyPath}: its key ${i} is not the one ${settingsPath} fingerprints (${shortHex(split.keys[i]!)}…)`);
    if (vk.k !== settings.k) throw new KeyFileError(`${keyPath}: its key ${i} is for k = ${vk.k}, ${settingsPath} says k = ${settings.k}`);
    return vk;
  });
  const n = split.segments.length;
  const segments: VerifierSegment[] = split.segments.map((s, j) => {
    const w = vkFile.segments[j]!;
    const got = weightFingerprint(w.weights, w.weightsHiding);
    if (got !== s.weightCommitment.fingerprint || w.weights.length !== s.weightCommitment.matrices) {
      throw new KeyFileError(`${keyPath}: the ${w.weights.length} weight commitments of ${s.name} (fingerprint ${shortHex(got)}…) are not the ${s.weightCommitment.matrices} that ${settingsPath} fingerprints (${shortHex(s.weightCommitment.fingerprint)}…)`);
    }
    const vk = vks[s.key]!;
    const link = { input: j > 0, output: j < n - 1 };
    // the linked columns are found by name in the verifying key: each segment's key must have the ones its place needs
    for (const [side, name] of [['input', LINK_IN], ['output', LINK_OUT]] as const) {
      if (link[side] && adviceIndex(vk, name) === undefined) throw new KeyFileError(`${keyPath}: the key of ${s.name} has no ${name} column (its ${side} links it to its neighbour)`);
    }
    return { name: s.name, vk, weights: w.weights, hiding: w.weightsHiding, publicValues: s.publicValues, link };
  });
  const hiding = segments.every((s) => s.hiding);
  const file = parseChainProofFile(readText(o.proofPath, 'proof file'));
  const reject = rejecter(args, io);
  if (file.fingerprint !== undefined && file.fingerprint !== settings.fingerprint) {
    return reject(`the proof was made for the keys ${shortHex(file.fingerprint)}…, these are ${shortHex(settings.fingerprint)}… (another model, setup or SRS)`);
  }
  const column = publicColumn(settings, file.instances);
  if (typeof column === 'string') return reject(column);
  const t0 = performance.now();
  const result = verifySegments(segments, file.segments, column, verifierParams(vkFile));
  const verifySeconds = +((performance.now() - t0) / 1000).toFixed(3);
  if (!result.ok) return reject(result.reason ?? 'the proof does not verify');

  const view = await publicView(settings, column);
  const at = (offset: number) => split.segments.findIndex((s) => s.publicValues.length > 0 && offset >= s.publicValues.offset && offset < s.publicValues.offset + s.publicValues.length);
  const checked = settings.publicValues.map((s) => `${s.role} ${s.name} (${s.length}, segment ${at(s.offset)})`);
  const wc = settings.weightCommitment!;
  const about = {
    model: settings.name, fingerprint: settings.fingerprint, segments: n, links: result.links ?? 0, keys: split.keys, keyOf,
    weightFingerprint: wc.fingerprint, segmentWeightFingerprints: split.segments.map((s) => s.weightCommitment.fingerprint), weightsHiding: hiding,
    srs: { identity, kind: settings.srs.kind }, visibility: settings.visibility, scale: settings.scale, k: settings.k,
  };
  if (has(args, 'json')) io.out(JSON.stringify({ ok: true, ...about, verifySeconds, checked: settings.publicValues, public: view.values, ...(view.next ? { next: view.next } : {}) }));
  else {
    io.out(`proof OK: ${settings.name} as ${n} linked segments (k = ${settings.k}), verified in ${verifySeconds} s`);
    io.out(`segments: ${n} from settings.json (cut after ${split.cuts.join(', ')}); ${result.links} links checked (each segment's input commitment is the previous segment's output commitment)`);
    io.out(`model fingerprint ${settings.fingerprint} (the chain's, from vk.bin)`);
    io.out(`verifying keys: ${split.keys.map((k, i) => `${i} ${shortHex(k)}… (segment${keyOf.filter((x) => x === i).length > 1 ? 's' : ''} ${keyOf.flatMap((x, j) => (x === i ? [j] : [])).join(', ')})`).join('; ')}`);
    io.out(`weight fingerprint ${wc.fingerprint} (${wc.matrices} committed matrices in ${n} segments, from vk.bin)`);
    split.segments.forEach((s) => io.out(`  ${s.name}: weights ${s.weightCommitment.fingerprint} (${s.weightCommitment.matrices} matri${s.weightCommitment.matrices === 1 ? 'x' : 'ces'})`));
    io.out(`weights: ${hiding ? weightsText(true) : segments.some((s) => s.hiding) ? 'committed (hiding in some segments, binding only in others)' : weightsText(false)}`);
    io.out(`SRS ${settings.srs.kind} ${identity}${dev ? ' — UNSAFE: public τ' : ''}`);
    io.out(`visibility ${visibilityText(settings.visibility)}; scale 2^${settings.scale}`);
    io.out(`public values checked: ${checked.join(', ') || 'none'}`);
    view.lines.forEach((l) => io.out(l));
  }
  return EXIT_OK;
}

/** The proof file's one column of public values, checked against settings.json's layout; else why not. */
function publicColumn(settings: Pick<Settings, 'publicValues'>, instances: readonly (readonly bigint[])[]): readonly bigint[] | string {
  const expected = settings.publicValues.reduce((a, s) => a + s.length, 0);
  const column = instances[0];
  if (instances.length !== 1 || !column || column.length !== expected) {
    return `expected one column of ${expected} public values (${settings.publicValues.map((s) => `${s.role} ${s.name}: ${s.length}`).join(', ') || 'none'}), got ${instances.map((c) => c.length).join(' + ') || 'none'}`;
  }
  if (column.some((v) => v >= Fr.p)) return 'a public value is not a field element (≥ p)';
  return column;
}
