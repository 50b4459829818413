/**
 * GPT-2 124M end to end on this machine: synthetic weights written as a
 * Hugging Face safetensors file and read back through the loader, weights
 * committed (per segment, one fingerprint each), the model proved as linked
 * per-layer proofs (models/chain.ts), verified, and the proved next token
 * compared with the float model's.
 *
 *   npx tsx bench/gpt2-small.ts [--tokens 16] [--layers 12] [--workers N] [--out FILE]
 *
 * Prints each step and a JSON summary (setup = keygen + weight commitments,
 * prove, verify, proof bytes, peak RSS); `--layers` proves a shallower model
 * of the same width (a quicker check of the same circuits).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  compileModel,
  evaluateFloat,
  getPreset,
  gpt2SafetensorsTensors,
  gpt2Tokenizer,
  gpt2WeightsFromSafetensors,
  parseSafetensors,
  presetGraph,
  QuantEvaluator,
  weightData,
  withWeights,
  writeSafetensors,
} from '../src/models/index.js';
import { chainVerifyingKey, compileChain, gpt2Cuts, proveChain, segmentInstances, setupChain, verifyChain } from '../src/models/chain.js';
import { KzgParams, unsafeDevSrs } from '../src/pcs/kzg.js';
import { collectGarbage } from '../src/cli/common.js';

const { values: args } = parseArgs({
  options: { tokens: { type: 'string', default: '16' }, layers: { type: 'string' }, workers: { type: 'string' }, out: { type: 'string' } },
});
const T = Number(args.tokens);
const pre = getPreset('gpt2-small');
const config = { ...pre.config, ...(args.layers ? { layers: Number(args.layers) } : {}) };
const workers = args.workers !== undefined ? Number(args.workers) : Math.max(0, Math.min(3, availableParallelism() - 1));
const t0 = performance.now();
const since = (t: number) => (performance.now() - t) / 1000;
const rssGiB = () => process.resourceUsage().maxRSS / 2 ** 20;
const log = (msg: string) => console.log(`[${since(t0).toFixed(1)} s, peak ${rssGiB().toFixed(2)} GiB] ${msg}`);

// 1. the weights: synthetic, written under Hugging Face names, read back through the loader
mkdirSync('.cache', { recursive: true });
const file = `.cache/gpt2-small-synthetic-${config.layers}l.safetensors`;
const full = presetGraph({ ...pre, config }, config.context); // all context rows of wpe
if (!existsSync(file)) {
  const w = (name: string) => weightData(full.weights.find((x) => x.name === name)!);
  writeFileSync(file, writeSafetensors(gpt2SafetensorsTensors(config, w), { format: 'pt' }));
  log(`wrote ${file}`);
}
let t = performance.now();
const loaded = gpt2WeightsFromSafetensors(parseSafetensors(new Uint8Array(readFileSync(file))), config);
const graph = withWeights(presetGraph({ ...pre, config }, T), loaded);
log(`loaded ${file} (${(since(t)).toFixed(1)} s)`);

// 2. the prompt: GPT-2's BPE tokenizer
const tok = await gpt2Tokenizer();
const text = 'In a quiet village by the sea, an old fisherman told the children stories about the storms he had seen';
const ids = tok.encode(text).slice(0, T);
if (ids.length !== T) throw new Error(`the prompt has ${ids.length} tokens, expected ${T}`);

// 3. compile: weights committed, cut after the embedding and every block
const model = compileModel(graph, pre.quant!, { visibility: { weights: 'committed' }, fixedColumns: pre.fixedColumns });
t = performance.now();
const chain = compileChain(model, gpt2Cuts(model.graph));
log(`compiled ${chain.segments.length} segments at k = ${chain.k} (${new Set(chain.segments.map((s) => s.key)).size} distinct circuits) in ${since(t).toFixed(1)} s`);

// 4. setup: SRS (random τ, discarded), keygen per distinct circuit, weight commitments
const srsK = Math.max(chain.k, Math.ceil(Math.log2(config.vocabulary)));
t = performance.now();
const seed = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
const kzg = new KzgParams(unsafeDevSrs(srsK, `random:${seed}`)).useWorkers(workers);
const srsSeconds = since(t);
log(`SRS 2^${srsK} (random τ) in ${srsSeconds.toFixed(1)} s`);
t = performance.now();
const keys = setupChain(chain, kzg, { onStep: (s) => log(`setup: ${s}`) });
const setupSeconds = since(t);
log(`setup (keygen + weight commitments) ${setupSeconds.toFixed(1)} s`);

// 5. prove
const q = new QuantEvaluator(model.graph, model.quant, model.weights);
const qin = q.quantizeInputs({ tokens: ids });
t = performance.now();
const { proof, values } = proveChain(chain, keys, qin, kzg, {
  onSegment: (s, j, n) => {
    if (j > 0) collectGarbage(); // as the CLI does between segments
    log(`prove ${s} (${j + 1}/${n})`);
  },
});
const proveSeconds = since(t);
const proofBytes = proof.segments.reduce((a, s) => a + s.proof.length + (s.opening ? 64 : 0), 0);
log(`prove ${proveSeconds.toFixed(1)} s, ${proofBytes} bytes`);

// 6. verify (the verifier's own keys and commitments; public: the tokens and the logits)
const vk = chainVerifyingKey(keys);
t = performance.now();
const verdict = verifyChain(chain, vk, proof, chain.segments.map((s) => segmentInstances(s, values)), kzg.verifierParams());
const verifySeconds = since(t);
log(`verify ${verifySeconds.toFixed(2)} s: ${JSON.stringify(verdict)}`);

// 7. the proved next token against the float model's
const argmax = (xs: ArrayLike<number | bigint>) => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
};
const out = model.graph.outputs[0]!;
const provedToken = argmax(values.get(out)!.data);
const floatLogits = evaluateFloat(graph, { tokens: ids }).get(graph.outputs[0]!)!.data;
const floatToken = argmax(floatLogits);
log(`next token: proved ${provedToken} ${JSON.stringify(tok.decode([provedToken]))}, float ${floatToken} ${JSON.stringify(tok.decode([floatToken]))}`);

const summary = {
  model: `gpt2-small${args.layers ? ` (${config.layers} layers)` : ''}`,
  tokens: T,
  segments: chain.segments.length,
  distinctCircuits: keys.pks.length,
  k: chain.k,
  workers,
  srsSeconds: +srsSeconds.toFixed(1),
  setupSeconds: +setupSeconds.toFixed(1),
  proveSeconds: +proveSeconds.toFixed(1),
  verifySeconds: +verifySeconds.toFixed(2),
  proofBytes,
  peakRssGiB: +rssGiB().toFixed(2),
  verified: verdict.ok,
  provedToken,
  floatToken,
  tokensAgree: provedToken === floatToken,
};
console.log(JSON.stringify(summary));
if (args.out) writeFileSync(args.out, `${JSON.stringify(summary, null, 2)}\n`);
process.exit(verdict.ok && summary.tokensAgree ? 0 : 1);
