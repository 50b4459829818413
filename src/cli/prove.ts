/**
 * `zktensor prove`: load settings.json and pk.bin (checked against each
 * other), the model the settings name (files checked by sha256), the input;
 * evaluate the quantized model (the witness), prove, check the proof
 * against the key's own VK, write the proof file (proof-file.ts). With
 * committed weights the weight opening keeps the fold hidden (V = v·G + t·H);
 * the commitments are hiding when pk.bin holds blinding scalars (setup's
 * default), binding otherwise: setup fixed the kind.
 *
 * A split model (settings.json's "split") is proved segment by segment
 * (models/chain.ts's proveChain, progress per segment): pk.bin's keys and
 * weight commitments are checked against the settings' fingerprints, the
 * chain is checked by the verifier's own procedure (verifyChain) before the
 * proof file is written, with one {proof, weightOpening} per segment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileModel, ModelCircuit, QuantRangeError } from '../models/index.js';
import { encodeWeightOpening, type ModelWeightCommitment, proveCommitted } from '../models/committed.js';
import { type ChainKeys, chainVerifyingKey, proveChain, segmentInstances, verifyChain } from '../models/chain.js';
import { matrixFingerprint } from '../pcs/matrix-commit.js';
import { decodeChainPkFile } from './chain-files.js';
import { chainEstimate, checkChainFits, checkKeyKind, compileSplit, keyIndices } from './split.js';
import { hex } from './hash.js';
import { openingHex } from './committed-weights.js';
import { decodePk, prove, type ProvingKey, verify } from '../plonkish/backend/index.js';
import { KzgParams, readHalo2Params } from '../pcs/index.js';
import { type Args, type CommandSpec, flag, has, readBytes, requireFlag } from './args.js';
import { collectGarbage, type CommandIo, EXIT_OK, steps, workerCount } from './common.js';
import { KeyFileError, decodePkFile } from './key-files.js';
import { compileSource, sourceFromSettings } from './model-source.js';
import { Progress } from './progress.js';
import { type ChainProofFile, PROOF_FILE_VERSION, PROOF_FORMAT, type ProofFile, toBase64 } from './proof-file.js';
import { publicView } from './public-values.js';
import { checkFits } from './resources.js';
import { fingerprintHex, readSettings, sameDigest, type Settings, settingsDigest, shortHex } from './settings.js';
import { srsIdentity } from './srs-source.js';
import { UsageError } from './errors.js';
import { checkInputFile } from './input.js';
import { quantizedInput, outOfCalibratedRange, witnessFor } from './witness.js';

export const PROVE: CommandSpec = {
  name: 'prove',
  summary: 'prove one inference with the keys setup made',
  help: `usage: zktensor prove (--setup DIR | --pk pk.bin --settings settings.json) --input … [--out proof.json]

  --setup DIR        the folder setup wrote (its pk.bin and settings.json)
  --pk FILE          the proving key (pk.bin: the key and the SRS it was made with; with
                     hiding weight commitments also their secret blinding scalars)
  --settings FILE    the settings setup wrote (default: settings.json beside pk.bin)
  --input …          presets: text, [token ids], {"tokens": […]} or {"text": "…"};
                     ONNX: {"<input>": [numbers…]}; "@path" or "*.json" reads a file
  --out FILE         the proof file (default proof.json; a split model: one proof per segment)
  --model PATH       the ONNX file, if it moved since setup (checked by sha256)
  --weights PATH     the safetensors weights, if they moved since setup (checked by sha256)
  --workers N        MSM worker threads   --force  ignore the memory estimate
  --quiet            no progress          --json   a JSON summary`,
  options: { setup: 'string', pk: 'string', settings: 'string', input: 'string', out: 'string', model: 'string', weights: 'string', workers: 'string', force: 'boolean', quiet: 'boolean', json: 'boolean' },
};

export const PROVE_PHASES = ['load', 'witness', 'prove', 'verify'] as const;

/** `--setup DIR` or `--pk` / `--settings` (settings default: beside the key). */
export function keyPaths(args: Args, key: 'pk' | 'vk'): { keyPath: string; settingsPath: string } {
  const dir = flag(args, 'setup');
  const keyPath = flag(args, key) ?? (dir ? join(dir, `${key}.bin`) : undefined);
  if (!keyPath) throw new UsageError(`${args.command}: missing --${key} (or --setup DIR): the ${key}.bin that setup wrote`);
  return { keyPath, settingsPath: flag(args, 'settings') ?? join(dir ?? dirname(keyPath), 'settings.json') };
}

export async function cmdProve(args: Args, io: CommandIo): Promise<number> {
  const rawInput = requireFlag(args, 'input', '"the"');
  checkInputFile(rawInput);
  const outPath = flag(args, 'out') ?? 'proof.json';
  const workers = workerCount(flag(args, 'workers'));
  const progress = new Progress(has(args, 'quiet') ? undefined : io.progress, PROVE_PHASES.map((name) => ({ name })));
  progress.start('load');
  const { keyPath, settingsPath } = keyPaths(args, 'pk');
  const settings = readSettings(settingsPath);
  const keyBytes = readBytes(keyPath, '--pk');
  checkKeyKind(keyBytes, settings, keyPath, settingsPath, 'pk');
  if (settings.split) return proveSplit(args, io, { settings, keyBytes, keyPath, settingsPath, rawInput, outPath, workers, progress });
  const pkFile = decodePkFile(keyBytes);
  if (!sameDigest(pkFile.settingsDigest, settingsDigest(settings))) throw new KeyFileError(`${keyPath} was made with other settings than ${settingsPath} (their digests differ): use the settings.json setup wrote beside it`);
  const source = sourceFromSettings(settings, settingsPath, { ...(flag(args, 'model') ? { model: flag(args, 'model') } : {}), ...(flag(args, 'weights') ? { weights: flag(args, 'weights') } : {}) });
  const model = compileSource(source, settings.quant, settings.visibility, settings.fixedColumns);
  if (model.cost.k !== settings.k) throw new UsageError(`${settingsPath}: the model compiles to k = ${model.cost.k}, the settings say ${settings.k} (settings from another version of zktensor?)`);
  checkFits('prove', settings.name, model.cost, has(args, 'force'));
  progress.estimate('prove', model.cost.estimate.proveSeconds);
  progress.start('witness');
  const w = await witnessFor(settings, source, model, rawInput);
  progress.end();
  const srs = readHalo2Params(pkFile.srs);
  if (srsIdentity(srs) !== settings.srs.identity) throw new KeyFileError(`${keyPath}: its SRS is not the one ${settingsPath} names`);
  const kzg = new KzgParams(srs).useWorkers(workers);
  let pk: ProvingKey | undefined;
  try {
    pk = decodePk(pkFile.pk, kzg);
    if (fingerprintHex(pk.vk.digest) !== settings.fingerprint) throw new KeyFileError(`${keyPath}: its verifying key is not the one ${settingsPath} fingerprints`);
    const circuit = new ModelCircuit(model.params, w.qin);
    const onStep = steps(progress.start('prove'));
    // committed weights: the circuit proof bound to the weights' fingerprint (settings.json's, bound to pk.bin by
    // digest: the one a verifier recomputes from vk.bin's commitments) and the folded opening
    // hiding commitments: pk.bin's blinding scalars (their fingerprint, which covers the kind, is settings.json's)
    const bind = settings.weightCommitment ? new Uint8Array(Buffer.from(settings.weightCommitment.fingerprint, 'hex')) : undefined;
    const blinds = pkFile.weightBlinds ?? [];
    if (blinds.length && !bind) throw new KeyFileError(`${keyPath} holds weight blinds, but ${settingsPath} says weights=${settings.visibility.weights}`);
    const hiding = blinds.length > 0;
    const committed = bind ? proveCommitted(pk, circuit, w.instances, kzg, { fingerprint: bind, hiding }, { onStep, ...(hiding ? { secrets: { blinds } } : {}) }) : undefined;
    const proof = committed?.proof ?? prove(pk, circuit, w.instances, kzg, { onStep });
    const proveSeconds = progress.end();
    progress.start('verify');
    // the circuit proof against the key's own VK (the opening needs vk.bin's commitments, which pk.bin does not hold)
    const check = verify(pk.vk, proof, w.instances, kzg.verifierParams(), bind ? { bind } : {});
    progress.end();
    if (!check.ok) throw new Error(`prove: the proof does not verify against its own key (${check.reason})`);
    const view = await publicView(settings, w.instances[0] ?? []);
    const file: ProofFile = {
      format: PROOF_FORMAT,
      version: PROOF_FILE_VERSION,
      fingerprint: settings.fingerprint,
      instances: w.instances.map((c) => c.map(String)),
      proof: toBase64(proof),
      ...(committed ? { weightOpening: openingHex(committed.opening), weightFingerprint: settings.weightCommitment?.fingerprint } : {}),
      public: { model: settings.name, values: view.values, ...(view.next ? { next: view.next } : {}) },
    };
    mkdirSync(dirname(resolve(outPath)), { recursive: true });
    writeFileSync(outPath, JSON.stringify(file, null, 1));
    if (has(args, 'json')) io.out(JSON.stringify({ ok: true, out: outPath, model: settings.name, k: settings.k, proofBytes: proof.length, proveSeconds, public: view.values, ...(view.next ? { next: view.next } : {}) }));
    else {
      io.out(`proved ${settings.name} (k = ${settings.k}) in ${proveSeconds} s, ${proof.length} bytes → ${outPath}`);
      view.lines.forEach((l) => io.out(l));
    }
    return EXIT_OK;
  } finally {
    pk?.free();
    kzg.free();
  }
}

interface SplitProve {
  readonly settings: Settings;
  readonly keyBytes: Uint8Array;
  readonly keyPath: string;
  readonly settingsPath: string;
  readonly rawInput: string;
  readonly outPath: string;
  readonly workers: number;
  readonly progress: Progress;
}

/** prove for a model proved as linked segments (see the module comment). */
async function proveSplit(args: Args, io: CommandIo, o: SplitProve): Promise<number> {
  const { settings, keyPath, settingsPath, progress } = o;
  const split = settings.split!;
  const keyOf = split.segments.map((s) => s.key);
  const pkFile = decodeChainPkFile(o.keyBytes);
  if (!sameDigest(pkFile.settingsDigest, settingsDigest(settings))) throw new KeyFileError(`${keyPath} was made with other settings than ${settingsPath} (their digests differ): use the settings.json setup wrote beside it`);
  // bound by the digest already; a mismatch here is a file made by hand
  if (pkFile.pks.length !== split.keys.length || pkFile.segments.map((s) => s.key).join() !== keyOf.join()) {
    throw new KeyFileError(`${keyPath}: its ${pkFile.pks.length} keys for ${pkFile.segments.length} segments are not the ${split.keys.length} keys for ${keyOf.length} segments that ${settingsPath} lists`);
  }
  const source = sourceFromSettings(settings, settingsPath, { ...(flag(args, 'model') ? { model: flag(args, 'model') } : {}), ...(flag(args, 'weights') ? { weights: flag(args, 'weights') } : {}) });
  const params = compileModel(source.graph, settings.quant, { visibility: settings.visibility, fixedColumns: settings.fixedColumns });
  const chain = compileSplit(settings.name, params, split.cuts);
  if (chain.k !== settings.k || keyIndices(chain).join() !== keyOf.join()) {
    throw new UsageError(`${settingsPath}: the model compiles to ${chain.segments.length} segments at k = ${chain.k} (keys ${keyIndices(chain).join(' ')}), the settings say ${keyOf.length} at k = ${settings.k} (keys ${keyOf.join(' ')}) (settings from another version of zktensor?)`);
  }
  const est = chainEstimate(chain);
  checkChainFits('prove', settings.name, est, has(args, 'force'));
  progress.estimate('prove', est.proveSeconds);
  progress.start('witness');
  const qin = await quantizedInput(settings, source, params, o.rawInput);
  const srs = readHalo2Params(pkFile.srs);
  if (srsIdentity(srs) !== settings.srs.identity) throw new KeyFileError(`${keyPath}: its SRS is not the one ${settingsPath} names`);
  const kzg = new KzgParams(srs).useWorkers(o.workers);
  const pks: ProvingKey[] = [];
  try {
    for (const [i, bytes] of pkFile.pks.entries()) {
      const pk = decodePk(bytes, kzg);
      pks.push(pk);
      if (fingerprintHex(pk.vk.digest) !== split.keys[i]) throw new KeyFileError(`${keyPath}: its key ${i} is not the one ${settingsPath} fingerprints (${shortHex(split.keys[i]!)}…)`);
    }
    // each segment's proof is bound to its weight fingerprint: pk.bin's commitments, checked against the settings' (bound to pk.bin by digest)
    const weights: ModelWeightCommitment[] = pkFile.segments.map((s, j) => {
      const fingerprint = matrixFingerprint(s.weights, { hiding: s.weightsHiding });
      if (hex(fingerprint) !== split.segments[j]!.weightCommitment.fingerprint) throw new KeyFileError(`${keyPath}: the weight commitments of segment ${j} are not the ones ${settingsPath} fingerprints`);
      return { names: s.weights.map((w) => w.name), matrices: s.weights, hiding: s.weightsHiding, fingerprint };
    });
    const keys: ChainKeys = { k: chain.k, pks, keyOf, weights, secrets: pkFile.segments.map((s) => (s.weightsHiding ? { blinds: s.blinds } : undefined)) };
    const starts: number[] = [];
    let hook: ReturnType<typeof progress.start> | undefined;
    let run: ReturnType<typeof proveChain>;
    try {
      // proveChain evaluates the quantized model (the witness phase), then proves the segments in order
      run = proveChain(chain, keys, qin, kzg, {
        onSegment: (name, j, n) => {
          if (j > 0) collectGarbage(); // the previous segment's dead buffers go before the next one allocates
          if (j === 0) hook = progress.start('prove');
          starts.push(performance.now());
          hook?.(j, n, name);
        },
      });
    } catch (e) {
      if (e instanceof QuantRangeError) throw outOfCalibratedRange(settings, e);
      throw e;
    }
    starts.push(performance.now());
    const proveSeconds = progress.end();
    progress.start('verify');
    const instances = chain.segments.map((s) => segmentInstances(s, run.values));
    const check = verifyChain(chain, chainVerifyingKey(keys), run.proof, instances, kzg.verifierParams());
    progress.end();
    if (!check.ok) throw new Error(`prove: the chain does not verify against its own keys (${check.reason})`);
    const column = instances.flatMap((c) => c[0] ?? []);
    const view = await publicView(settings, column);
    const segments = run.proof.segments.map((s, j) => ({
      name: chain.segments[j]!.name,
      seconds: +((starts[j + 1]! - starts[j]!) / 1000).toFixed(3),
      proofBytes: s.proof.length + (s.opening ? encodeWeightOpening(s.opening).length : 0),
    }));
    const proofBytes = segments.reduce((a, s) => a + s.proofBytes, 0);
    const file: ChainProofFile = {
      format: PROOF_FORMAT,
      version: PROOF_FILE_VERSION,
      fingerprint: settings.fingerprint,
      instances: [column.map(String)],
      segments: run.proof.segments.map((s) => {
        if (!s.opening) throw new Error('prove: a segment proof without its weight opening');
        return { proof: toBase64(s.proof), weightOpening: openingHex(s.opening) };
      }),
      ...(settings.weightCommitment ? { weightFingerprint: settings.weightCommitment.fingerprint } : {}),
      public: { model: settings.name, values: view.values, ...(view.next ? { next: view.next } : {}) },
    };
    mkdirSync(dirname(resolve(o.outPath)), { recursive: true });
    writeFileSync(o.outPath, JSON.stringify(file, null, 1));
    if (has(args, 'json')) {
      io.out(JSON.stringify({ ok: true, out: o.outPath, model: settings.name, k: settings.k, segments, proofBytes, proveSeconds, public: view.values, ...(view.next ? { next: view.next } : {}) }));
    } else {
      io.out(`proved ${settings.name} as ${segments.length} linked segments (k = ${settings.k}) in ${proveSeconds} s, ${proofBytes} bytes → ${o.outPath}`);
      io.out(`per segment: ${segments.map((s, j) => `${j}: ${s.seconds} s`).join(', ')}`);
      view.lines.forEach((l) => io.out(l));
    }
    return EXIT_OK;
  } finally {
    for (const pk of pks) pk.free();
    kzg.free();
  }
}
