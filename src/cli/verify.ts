/**
 * `zktensor verify proof.json`: re-derive the circuit from the statement in
 * the file (a preset, or the model file checked against its sha256; the
 * weights file likewise), take the verifying key from the cache or keygen
 * (`--trust-vk`: the file's own VK), check the public values against the
 * recorded input, and verify. Exit 0 accepted, 1 rejected, 2 when the
 * statement cannot be re-derived (missing or changed model file, …).
 */
import { dirname, resolve } from 'node:path';
import { Fr } from '../field/bn254.js';
import { getPreset, instanceLayout, quantizeValues } from '../models/index.js';
import { decodeVk, type VerifyingKey } from '../plonkish/backend/vk.js';
import { verify } from '../plonkish/backend/verifier.js';
import { type Args, checkFlags, flag, readText } from './args.js';
import { checkLength, tokenText } from './input.js';
import { freshProvingKey, keyCacheFrom, KeySession, loadSrs, verifyingKey } from './keys.js';
import { type CompiledModel, compileOnnx, compilePreset, type LoadedFile, loadFile, openOnnx } from './model-source.js';
import { Progress } from './progress.js';
import { type FileBinding, fromBase64, parseProofFile, type ProofFile, UsageError } from './proof-file.js';
import { type CommandIo, steps } from './prove.js';

export const VERIFY_PHASES = ['load', 'compile', 'keygen', 'verify'] as const;

/** A file the statement names, found (relative to the proof file, or at `override`) and checked against its hash. */
function boundFile(b: FileBinding, proofPath: string, override: string | undefined, what: string): LoadedFile {
  const path = override ?? resolve(dirname(resolve(proofPath)), b.path);
  let f: LoadedFile;
  try {
    f = loadFile(path, what);
  } catch (e) {
    throw new UsageError(`verify: the ${what} of this proof is missing: ${(e as Error).message.replace(/^[^:]*: /, '')}${override ? '' : `; pass --${what === 'model file' ? 'model' : 'weights'} PATH if it moved`}`);
  }
  if (f.sha256 !== b.sha256) throw new UsageError(`verify: the ${what} ${path} changed since proving: its sha256 is ${f.sha256}, the proof was made for ${b.sha256}`);
  return f;
}

interface Derived {
  readonly model: CompiledModel;
  readonly name: string;
  describe(outputs: Map<string, bigint[]>): Promise<{ summary: Record<string, unknown>; text: string }>;
  /** The recorded input as the public values it must equal (when the input is public and recorded). */
  readonly recordedInput?: ReadonlyMap<string, bigint[]>;
}

async function derive(file: ProofFile, proofPath: string, args: Args): Promise<Derived> {
  if (file.modelFile) {
    const src = openOnnx(boundFile(file.modelFile, proofPath, flag(args, 'model'), 'model file').path);
    const recorded = file.input && 'values' in file.input ? file.input.values : undefined;
    const model = compileOnnx(src, file.modelFile.dims, file.visibility, recorded ? { inputs: recorded, scale: file.quant.scale } : { quant: file.quant });
    const s = model.params.quant.scale;
    const irToOnnx = new Map([...model.outputs].map(([o, ir]) => [ir, o]));
    return {
      model,
      name: file.model,
      recordedInput: recorded && new Map(Object.entries(recorded).map(([k, v]) => [k, Array.from(quantizeValues(v, s, `input ${k}`), (x) => Fr.fromSigned(x))])),
      async describe(outputs) {
        const values = Object.fromEntries([...outputs].map(([ir, v]) => [irToOnnx.get(ir) ?? ir, v.map((x) => Number(Fr.toSigned(x)) / 2 ** s)]));
        const text = Object.entries(values).map(([k, v]) => `${k} = [${v.slice(0, 8).map((x) => +x.toFixed(4)).join(', ')}${v.length > 8 ? ', …' : ''}]`).join('; ');
        return { summary: { outputs: values }, text: text ? `; ${text}` : '' };
      },
    };
  }
  const preset = getPreset(file.model);
  if (file.tokens === undefined) throw new UsageError('proof file: expected "tokens" for a preset model');
  checkLength(preset, file.tokens);
  const weights = file.weights ? boundFile(file.weights, proofPath, flag(args, 'weights'), 'weights file') : undefined;
  const model = compilePreset(preset, file.tokens, file.visibility, weights);
  const recorded = file.input && 'tokens' in file.input ? file.input.tokens : undefined;
  return {
    model,
    name: preset.name,
    recordedInput: recorded && new Map([['tokens', recorded.map((t) => BigInt(t))]]),
    async describe(outputs) {
      const logits = [...outputs.values()][0]?.map((v) => Number(Fr.toSigned(v)));
      if (!logits) return { summary: {}, text: '' };
      const id = logits.indexOf(Math.max(...logits));
      const next = { id, text: await tokenText(preset, id) };
      return { summary: { next }, text: `; next token ${id} ${JSON.stringify(next.text)}` };
    },
  };
}

export async function cmdVerify(args: Args, io: CommandIo): Promise<number> {
  checkFlags(args, ['srs', 'trust-vk', 'json', 'model', 'weights', 'cache-dir', 'no-cache', 'quiet']);
  const path = args.positional[0];
  if (!path) throw new UsageError('verify: expected the proof file, e.g. zktensor verify proof.json');
  const progress = new Progress(args.flags.has('quiet') ? undefined : io.progress, VERIFY_PHASES.map((name) => ({ name })));
  progress.start('load');
  const file = parseProofFile(readText(path, 'proof file'));
  const reject = (reason: string) => {
    progress.end('rejected');
    if (args.flags.has('json')) io.out(JSON.stringify({ ok: false, reason }));
    else io.out(`proof REJECTED: ${reason}`);
    return 1;
  };
  progress.start('compile');
  const d = await derive(file, path, args);
  const { params, cost } = d.model;
  if (JSON.stringify(file.quant) !== JSON.stringify(params.quant)) return reject(`quantization in the file differs from the one model ${d.name} gives`);
  const layout = instanceLayout(params);
  const expected = layout.reduce((a, s) => a + s.length, 0);
  if (file.instances.length !== 1 || file.instances[0]!.length !== expected) return reject(`expected ${expected} public values, got ${file.instances[0]?.length ?? 0}`);
  const instances = file.instances.map((c) => c.map((v) => BigInt(v)));
  if (instances[0]!.some((v) => v >= Fr.p)) return reject('a public value is not a field element');
  for (const seg of layout.filter((s) => s.role === 'input')) {
    const want = d.recordedInput?.get(seg.name);
    if (want && (want.length !== seg.length || want.some((v, i) => v !== instances[0]![seg.offset + i]))) return reject(`the recorded input "${seg.name}" differs from the proven public input`);
  }
  if (file.k < cost.k) return reject(`k = ${file.k} is too small for the circuit (needs ${cost.k})`);
  progress.estimate('keygen', cost.estimate.keygenSeconds);

  const keygenHook = progress.start('keygen');
  const srsPath = flag(args, 'srs') ?? (file.srs.kind === 'file' ? file.srs.path : undefined);
  const cache = keyCacheFrom(args.flags);
  const notes: string[] = [];
  const { kzg: base } = loadSrs(srsPath, file.k, cache, notes);
  const session = new KeySession(d.model, base, file.k, cache, notes);
  const kzg = session.params();
  let vk: VerifyingKey;
  let vkSource: 'file' | 'cached' | 'computed';
  if (args.flags.has('trust-vk')) {
    try {
      vk = decodeVk(fromBase64(file.vk, 'vk'), kzg);
    } catch (e) {
      session.free();
      return reject(`verifying key: ${(e as Error).message}`);
    }
    vkSource = 'file';
  } else {
    const got = verifyingKey(session, d.model, steps(keygenHook));
    vk = got.vk;
    vkSource = got.cached ? 'cached' : 'computed';
  }
  if (vkSource !== 'computed') progress.estimate('keygen', undefined);
  const keygenSeconds = progress.end(vkSource === 'computed' ? 'computed' : `${vkSource} key`);
  progress.start('verify');
  const proof = fromBase64(file.proof, 'proof');
  let result = verify(vk, proof, instances, kzg.verifierParams());
  if (!result.ok && vkSource === 'cached') {
    // rejected under the cached key: make sure the cached key is this circuit's before saying so
    const pk = freshProvingKey(session, d.model);
    const fresh = pk.vk;
    pk.free();
    if (fresh.digest !== vk.digest) {
      io.err(`zktensor: note: the cached verifying key ${session.cache!.path(session.key, 'vk')} was not this circuit's; recomputed and overwritten`);
      result = verify(fresh, proof, instances, session.params().verifierParams());
      vkSource = 'computed';
    }
  }
  session.free();
  const verifySeconds = progress.end(result.ok ? 'accepted' : 'rejected');
  for (const n of session.notes) io.err(`zktensor: note: ${n}`);
  if (!result.ok) return reject(result.reason ?? 'unknown reason');
  // the output shown is decoded from the verified public values, not from the file's convenience copy
  const outputs = new Map(layout.filter((s) => s.role === 'output').map((s) => [s.name, instances[0]!.slice(s.offset, s.offset + s.length)]));
  const shown = await d.describe(outputs);
  if (args.flags.has('json')) io.out(JSON.stringify({ ok: true, model: d.name, ...(file.tokens ? { tokens: file.tokens } : {}), k: file.k, vk: vkSource, keygenSeconds, verifySeconds, ...shown.summary }));
  else io.out(`proof OK: ${d.name}${file.tokens ? ` on ${file.tokens} tokens` : ''} (k = ${file.k}, ${vkSource} verifying key), verified in ${verifySeconds} s${shown.text}`);
  return 0;
}
