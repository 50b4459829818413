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
 * Exit 0 accepted, 1 rejected, 2 when the keys or files are unusable.
 */
import { G1_GENERATOR } from '../curve/g1.js';
import { Fr } from '../field/bn254.js';
import { decodeVk, verify, type VerifyingKey } from '../plonkish/backend/index.js';
import { srsId, verifierGroup } from '../pcs/index.js';
import { type Args, type CommandSpec, has, readBytes, readText } from './args.js';
import { type CommandIo, EXIT_OK, EXIT_REJECTED, visibilityText } from './common.js';
import { RefusedError, UsageError } from './errors.js';
import { verifyWithWeights, weightFingerprint, weightsText } from './committed-weights.js';
import { decodeVkFile, KeyFileError } from './key-files.js';
import { parseProofFile } from './proof-file.js';
import { keyPaths } from './prove.js';
import { publicView } from './public-values.js';
import { fingerprintHex, readSettings, sameDigest, settingsDigest, shortHex } from './settings.js';
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
(printed as "weights: committed (hiding)" or "(binding only)").
Exit 0 accepted, 1 rejected, 2 unusable keys or files.`,
  options: { vk: 'string', settings: 'string', setup: 'string', 'unsafe-dev-srs': 'boolean', json: 'boolean', quiet: 'boolean' },
  positionals: 1,
};

export async function cmdVerify(args: Args, io: CommandIo): Promise<number> {
  const proofPath = args.positional[0];
  if (!proofPath) throw new UsageError('verify: expected the proof file, e.g. zktensor verify --vk keys/vk.bin proof.json');
  const { keyPath, settingsPath } = keyPaths(args, 'vk');
  const vkFile = decodeVkFile(readBytes(keyPath, '--vk'));
  const settings = readSettings(settingsPath);
  if (!sameDigest(vkFile.settingsDigest, settingsDigest(settings))) {
    throw new KeyFileError(`${settingsPath} is not the settings ${keyPath} was made with (its digest differs): a changed scale, visibility or name is not the statement this key checks`);
  }
  const srs = { g2: vkFile.g2, sG2: vkFile.sG2 };
  const identity = srsIdentity(srs);
  if (identity !== settings.srs.identity) throw new KeyFileError(`${keyPath}: its SRS (${shortHex(identity)}…) is not the one ${settingsPath} names (${shortHex(settings.srs.identity)}…)`);
  const dev = settings.srs.kind === 'unsafe-dev' || isPublicTau(vkFile.sG2);
  if (dev && !has(args, 'unsafe-dev-srs')) {
    throw new RefusedError(`${keyPath} is over the well-known development SRS: its τ is public, so anyone can forge proofs that pass. Refusing; make keys with setup (a random or ceremony SRS), or pass --unsafe-dev-srs for tests`);
  }
  let vk: VerifyingKey;
  try {
    vk = decodeVk(vkFile.vk, { srsId: srsId(srs) });
  } catch (e) {
    throw new KeyFileError(`${keyPath}: ${(e as Error).message}`);
  }
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

  const reject = (reason: string) => {
    if (has(args, 'json')) io.out(JSON.stringify({ ok: false, reason }));
    else io.out(`proof REJECTED: ${reason}`);
    return EXIT_REJECTED;
  };
  if (file.fingerprint !== undefined && file.fingerprint !== settings.fingerprint) {
    return reject(`the proof was made for the verifying key ${shortHex(file.fingerprint)}…, this one is ${shortHex(settings.fingerprint)}… (another model, setup or SRS)`);
  }
  const expected = settings.publicValues.reduce((a, s) => a + s.length, 0);
  const column = file.instances[0];
  // committed weights: a second, empty column (the fold v is published inside the proof)
  const columns = weights ? 2 : 1;
  if (file.instances.length !== columns || !column || column.length !== expected || (weights && file.instances[1]?.length !== 0)) {
    return reject(`expected one column of ${expected} public values (${settings.publicValues.map((s) => `${s.role} ${s.name}: ${s.length}`).join(', ') || 'none'})${weights ? ' and an empty late column' : ''}, got ${file.instances.map((c) => c.length).join(' + ') || 'none'}`);
  }
  if (column.some((v) => v >= Fr.p)) return reject('a public value is not a field element (≥ p)');
  const t0 = performance.now();
  const vp = { g1: G1_GENERATOR, g2: vkFile.g2, sG2: vkFile.sG2, group: verifierGroup };
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
