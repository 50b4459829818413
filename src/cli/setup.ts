/**
 * `zktensor setup`: pin the statement once — calibrate, compile, take an
 * SRS (srs-source.ts), run keygen — and write DIR/settings.json, pk.bin
 * and vk.bin (key-files.ts). Every later command reads these; no proof
 * file can change them. With weights=committed the commitments are hiding
 * unless `--weight-commitments binding`: their blinding scalars go into
 * pk.bin (secret), the kind into vk.bin.
 *
 * A GPT-2 graph too large for one circuit on this machine (`--split auto`,
 * the default) or any GPT-2 graph with `--split layers` is set up as linked
 * segments (split.ts, models/chain.ts): keygen once per distinct segment
 * circuit, each segment's weights committed on their own, settings.json
 * version 2 with the "split" record, and the split containers for pk.bin
 * and vk.bin (chain-files.ts).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelCircuit } from '../models/index.js';
import { encodePk, encodeVk, keygen } from '../plonkish/backend/index.js';
import { KzgParams, writeHalo2Params } from '../pcs/index.js';
import { type Args, type CommandSpec, flag, has, requireFlag } from './args.js';
import { type CommandIo, EXIT_OK, steps, visibilityText, workerCount } from './common.js';
import { kindText } from '../models/committed.js';
import { commitWeights, type SetupWeights, weightsText } from './committed-weights.js';
import { UsageError } from './errors.js';
import { encodePkFile, encodeVkFile } from './key-files.js';
import { modelRef } from './model-source.js';
import { Progress } from './progress.js';
import { fingerprintHex, SETTINGS_FORMAT, SETTINGS_VERSION, type Settings, settingsDigest, shortHex, SPLIT_SETTINGS_VERSION, writeSettings } from './settings.js';
import { chainEstimate, checkChainFits, checkSingleFits, compileSplit, decideSplit, splitMode, splitSettings } from './split.js';
import { encodeChainPkFile, encodeChainVkFile } from './chain-files.js';
import { type ChainKeys, setupChain } from '../models/chain.js';
import type { ModelWeightCommitment } from '../models/committed.js';
import type { NamedCommitment } from './key-files.js';
import type { Statement } from './statement.js';
import { setupSrs } from './srs-source.js';
import { describeStatement, statementFromArgs } from './statement.js';

export const SETUP: CommandSpec = {
  name: 'setup',
  summary: 'calibrate, compile and make the keys: DIR/settings.json, pk.bin, vk.bin',
  help: `usage: zktensor setup --model <preset|model.onnx> --out DIR [options]

Pins what proofs will state: the model, its quantization (calibrated here,
once), the visibility and the SRS. Writes DIR/settings.json, DIR/pk.bin
(for provers) and DIR/vk.bin (for verifiers).

  --model M            a preset (gpt2-tiny, nanogpt, gpt2-small) or an .onnx file
  --tokens N           presets: the sequence length proofs will have (default: the context)
  --weights FILE       presets: GPT-2 weights (safetensors, Hugging Face names)
  --dims name=N,…      ONNX: symbolic dimensions (else from the first calibration sample)
  --calibration FILE   JSON sample inputs to calibrate on (presets default to their sample prompts)
  --scale S            fixed-point scale 2^S (default: the preset's, 8 for ONNX)
  --limb-bits B        range-check limb width: a 2^B-row range table (default: the preset's,
                       8 otherwise); wider limbs mean fewer limb columns and lookups while
                       the table fits the rows the circuit has anyway (nanogpt: 14)
  --visibility …       input=public|private,weights=committed|fixed|public,output=public|private
                       (default weights=committed: the weight matrices stay out of the circuit,
                       bound by commitments stored in vk.bin; fixed for a model without
                       weight matrices; weights=private is refused: free witnesses)
  --weight-commitments hiding|binding
                       weights=committed: hiding (default) keeps the weights private —
                       vk.bin's commitments reveal nothing about them, and their secret
                       blinding scalars go into pk.bin, which must then stay as private
                       as the weights; binding: deterministic commitments (a public
                       model's fingerprint: anyone with vk.bin can test a guess of a row)
  --srs FILE           a ceremony .ptau or halo2 params file (the trustworthy choice)
  --unsafe-dev-srs     the well-known dev SRS (public τ: forgeable; tests only)
                       (default: a fresh SRS from OS randomness, τ discarded)
  --split auto|layers|none
                       auto (default): a GPT-2 model whose single circuit needs more memory
                       than this machine has is proved as linked segments, one per layer
                       (the embedding, each block, the head; all at one k, blocks sharing a
                       key; needs weights=committed); layers: always; none: one circuit
  --workers N          MSM worker threads   --force  ignore the memory estimate
  --quiet              no progress          --json   a JSON summary`,
  options: {
    model: 'string', tokens: 'string', weights: 'string', dims: 'string', calibration: 'string', scale: 'string', 'limb-bits': 'string',
    visibility: 'string', 'weight-commitments': 'string', split: 'string', srs: 'string', 'unsafe-dev-srs': 'boolean', out: 'string', workers: 'string', force: 'boolean', quiet: 'boolean', json: 'boolean',
  },
};

export const SETUP_PHASES = ['calibrate', 'srs', 'keygen', 'commit', 'write'] as const;

/** `--weight-commitments hiding|binding` (default hiding): whether committed weights get hiding commitments. */
function hidingFlag(args: Args): boolean {
  const v = flag(args, 'weight-commitments') ?? 'hiding';
  if (v !== 'hiding' && v !== 'binding') throw new UsageError(`--weight-commitments: expected hiding or binding, got "${v}"`);
  return v === 'hiding';
}

export async function cmdSetup(args: Args, io: CommandIo): Promise<number> {
  const outDir = requireFlag(args, 'out', 'keys/');
  const hiding = hidingFlag(args);
  const mode = splitMode(args);
  const workers = workerCount(flag(args, 'workers'));
  const progress = new Progress(has(args, 'quiet') ? undefined : io.progress, SETUP_PHASES.map((name) => ({ name })));
  progress.start('calibrate');
  const st = await statementFromArgs(args);
  const { params, cost } = st.compiled;
  const decision = decideSplit(mode, { name: st.source.name, params, cost, visibility: st.visibility });
  if (decision.cuts) return setupSplit(args, io, st, { cuts: decision.cuts, auto: mode === 'auto', outDir, hiding, workers, progress });
  checkSingleFits('setup', st.source.name, cost, has(args, 'force'), decision);
  progress.end();
  progress.estimate('keygen', cost.estimate.keygenSeconds);
  progress.start('srs');
  const k = cost.k;
  const srs = setupSrs({ ...(flag(args, 'srs') ? { path: flag(args, 'srs') } : {}), unsafeDev: has(args, 'unsafe-dev-srs'), k });
  progress.end(srs.kind);
  const kzg = new KzgParams(srs.srs).useWorkers(workers);
  let pk;
  try {
    pk = keygen(new ModelCircuit(params), kzg, k, { onStep: steps(progress.start('keygen')) });
    progress.end();
    progress.start('commit');
    const committed: Pick<SetupWeights, 'weights' | 'hiding' | 'blinds'> & { fingerprint?: string } =
      st.visibility.weights === 'committed' ? commitWeights(kzg, params, { hiding }) : { weights: [], hiding: false, blinds: [] };
    progress.end(committed.weights.length ? `${committed.weights.length} matrices, ${kindText(committed.hiding)}` : 'none');
    progress.start('write');
    const dir = resolve(outDir);
    mkdirSync(dir, { recursive: true });
    const settings: Settings = {
      format: SETTINGS_FORMAT,
      version: SETTINGS_VERSION,
      name: st.source.name,
      model: modelRef(st.source, dir),
      visibility: st.visibility,
      scale: st.quant.scale,
      quant: st.quant,
      fixedColumns: params.fixedColumns,
      k,
      ...describeStatement(st),
      calibration: st.calibration,
      srs: { identity: srs.identity, kind: srs.kind, ...(srs.file ? { file: srs.file } : {}) },
      fingerprint: fingerprintHex(pk.vk.digest),
      ...(committed.fingerprint ? { weightCommitment: { fingerprint: committed.fingerprint, matrices: committed.weights.length } } : {}),
    };
    const digest = settingsDigest(settings);
    writeSettings(join(dir, 'settings.json'), settings);
    const vkBytes = encodeVkFile({ settingsDigest: digest, g2: srs.srs.g2, sG2: srs.srs.sG2, vk: encodeVk(pk.vk), weights: committed.weights, weightsHiding: committed.hiding });
    writeFileSync(join(dir, 'vk.bin'), vkBytes);
    const pkBytes = encodePkFile({ settingsDigest: digest, srs: writeHalo2Params(srs.srs), pk: encodePk(pk), weightBlinds: committed.blinds });
    // with hiding commitments pk.bin holds the blinding scalars: owner-only
    writeFileSync(join(dir, 'pk.bin'), pkBytes);
    if (committed.hiding) chmodSync(join(dir, 'pk.bin'), 0o600);
    progress.end();
    const ignored = has(args, 'weight-commitments') && st.visibility.weights !== 'committed' ? [`--weight-commitments applies to weights=committed only; ignored (weights=${st.visibility.weights})`] : [];
    for (const n of [...st.notes, ...srs.notes, ...ignored]) io.err(`zktensor: ${n}`);
    const summary = { ok: true, out: outDir, model: st.source.name, k, fingerprint: settings.fingerprint, ...(committed.fingerprint ? { weightFingerprint: committed.fingerprint, weightsHiding: committed.hiding } : {}), srs: settings.srs, visibility: st.visibility, scale: st.quant.scale, vkBytes: vkBytes.length, pkBytes: pkBytes.length };
    if (has(args, 'json')) io.out(JSON.stringify(summary));
    else {
      io.out(`setup ${st.source.name} (k = ${k}) → ${join(outDir, 'settings.json')}, pk.bin (${pkBytes.length} bytes), vk.bin (${vkBytes.length} bytes)`);
      io.out(`model fingerprint ${shortHex(settings.fingerprint)}…; SRS ${srs.kind} ${shortHex(srs.identity)}…; visibility ${visibilityText(st.visibility)}; scale 2^${st.quant.scale}, ${st.quant.bits} bits`);
      if (committed.fingerprint) {
        io.out(`weight fingerprint ${committed.fingerprint} (${committed.weights.length} committed matrices, in vk.bin)`);
        io.out(`weights: ${weightsText(committed.hiding)}${committed.hiding ? ' — pk.bin holds the blinding scalars: keep it as private as the weights' : ''}`);
      }
      io.out(`calibrated on ${st.calibration.samples} sample(s) from ${st.calibration.source}`);
    }
    return EXIT_OK;
  } finally {
    pk?.free();
    kzg.free();
  }
}

/** A model weight commitment as vk.bin's named commitments. */
const named = (w: ModelWeightCommitment): NamedCommitment[] => w.matrices.map((m, i) => ({ ...m, name: w.names[i]! }));

interface SplitSetup {
  readonly cuts: readonly string[];
  /** Chosen by --split auto (the refusal then says what one circuit needs). */
  readonly auto: boolean;
  readonly outDir: string;
  readonly hiding: boolean;
  readonly workers: number;
  readonly progress: Progress;
}

/** setup for a model proved as linked segments: keygen per distinct circuit, weights committed per segment, the split containers. */
async function setupSplit(args: Args, io: CommandIo, st: Statement, o: SplitSetup): Promise<number> {
  const { progress } = o;
  const name = st.source.name;
  const { params } = st.compiled;
  const chain = compileSplit(name, params, o.cuts);
  const est = chainEstimate(chain);
  checkChainFits('setup', name, est, has(args, 'force'), o.auto ? st.compiled.cost : undefined);
  progress.end(`${est.segments} segments`);
  progress.estimate('keygen', est.keygenSeconds);
  progress.start('srs');
  const srs = setupSrs({ ...(flag(args, 'srs') ? { path: flag(args, 'srs') } : {}), unsafeDev: has(args, 'unsafe-dev-srs'), k: est.srsK });
  progress.end(srs.kind);
  const kzg = new KzgParams(srs.srs).useWorkers(o.workers);
  let keys: ChainKeys | undefined;
  try {
    const distinct = est.circuits.length;
    const keygenStep = steps(progress.start('keygen'));
    let commitStep: ReturnType<typeof steps> | undefined;
    keys = setupChain(chain, kzg, {
      hiding: o.hiding,
      // setupChain's steps: keygen of each distinct circuit, then the weights of each segment
      onStep: (step, done, total) => {
        if (done < distinct) return keygenStep(step, done, distinct);
        if (!commitStep) {
          progress.end(`${distinct} circuits`);
          commitStep = steps(progress.start('commit'));
        }
        commitStep(step, done - distinct, total - distinct);
      },
    });
    const weights = keys.weights.map((w, j) => {
      if (!w) throw new UsageError(`setup: ${chain.segments[j]!.name} of ${name} has no committed weights; a split model needs each segment's weights committed`);
      return w;
    });
    const matrices = weights.reduce((a, w) => a + w.names.length, 0);
    progress.end(`${matrices} matrices in ${weights.length} segments, ${kindText(o.hiding)}`);
    progress.start('write');
    const dir = resolve(o.outDir);
    mkdirSync(dir, { recursive: true });
    const statement = describeStatement(st);
    const split = splitSettings(chain, o.cuts, keys, statement.publicValues);
    const settings: Settings = {
      format: SETTINGS_FORMAT,
      version: SPLIT_SETTINGS_VERSION,
      name,
      model: modelRef(st.source, dir),
      visibility: st.visibility,
      scale: st.quant.scale,
      quant: st.quant,
      fixedColumns: params.fixedColumns,
      k: chain.k,
      ...statement,
      calibration: st.calibration,
      srs: { identity: srs.identity, kind: srs.kind, ...(srs.file ? { file: srs.file } : {}) },
      fingerprint: split.fingerprint,
      weightCommitment: split.weightCommitment,
      split: split.split,
    };
    const digest = settingsDigest(settings);
    writeSettings(join(dir, 'settings.json'), settings);
    const segments = weights.map((w, j) => ({ key: keys!.keyOf[j]!, weights: named(w), weightsHiding: w.hiding }));
    const vkBytes = encodeChainVkFile({ settingsDigest: digest, g2: srs.srs.g2, sG2: srs.srs.sG2, vks: keys.pks.map((pk) => encodeVk(pk.vk)), segments });
    writeFileSync(join(dir, 'vk.bin'), vkBytes);
    const pkBytes = encodeChainPkFile({
      settingsDigest: digest,
      srs: writeHalo2Params(srs.srs),
      pks: keys.pks.map((pk) => encodePk(pk)),
      segments: segments.map((s, j) => ({ ...s, blinds: keys!.secrets[j]?.blinds ?? [] })),
    });
    // with hiding commitments pk.bin holds the blinding scalars: owner-only
    writeFileSync(join(dir, 'pk.bin'), pkBytes);
    if (o.hiding) chmodSync(join(dir, 'pk.bin'), 0o600);
    progress.end();
    for (const n of [...st.notes, ...srs.notes]) io.err(`zktensor: ${n}`);
    const sp = split.split;
    const keyOf = sp.segments.map((s) => s.key);
    const summary = {
      ok: true, out: o.outDir, model: name, k: chain.k,
      split: { by: sp.by, segments: sp.segments.length, cuts: sp.cuts, keys: sp.keys, keyOf, auto: o.auto },
      fingerprint: settings.fingerprint, weightFingerprint: split.weightCommitment.fingerprint, weightsHiding: o.hiding,
      srs: settings.srs, visibility: st.visibility, scale: st.quant.scale, vkBytes: vkBytes.length, pkBytes: pkBytes.length,
    };
    if (has(args, 'json')) io.out(JSON.stringify(summary));
    else {
      io.out(`setup ${name} as ${sp.segments.length} linked segments (k = ${chain.k}${o.auto ? '; split automatically: as one circuit it does not fit this machine' : ''}) → ${join(o.outDir, 'settings.json')}, pk.bin (${pkBytes.length} bytes), vk.bin (${vkBytes.length} bytes)`);
      io.out(`segments: cut after ${sp.cuts.join(', ')}; ${sp.keys.length} distinct circuits (segment → key: ${keyOf.join(' ')})`);
      io.out(`model fingerprint ${shortHex(settings.fingerprint)}… (the chain's: its keys and which segment uses which); SRS ${srs.kind} ${shortHex(srs.identity)}…; visibility ${visibilityText(st.visibility)}; scale 2^${st.quant.scale}, ${st.quant.bits} bits`);
      io.out(`weight fingerprint ${split.weightCommitment.fingerprint} (${matrices} committed matrices in ${sp.segments.length} segments, in vk.bin)`);
      io.out(`weights: ${weightsText(o.hiding)}${o.hiding ? ' — pk.bin holds the blinding scalars: keep it as private as the weights' : ''}`);
      io.out(`calibrated on ${st.calibration.samples} sample(s) from ${st.calibration.source}`);
    }
    return EXIT_OK;
  } finally {
    for (const pk of keys?.pks ?? []) pk.free();
    kzg.free();
  }
}
