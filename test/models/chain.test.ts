/**
 * Linked per-segment proofs (models/chain.ts) on a two-block GPT-2 with
 * committed weights: the graph splits at the embedding and block outputs,
 * the blocks share one proving key, the chain proves and verifies with the
 * same outputs as the whole-model evaluator; a segment proof taken from
 * another run (valid on its own, other boundary tensors), segments out of
 * order, other public values and a flipped byte are all rejected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGpt2, calibrate, compileModel, QuantEvaluator } from '../../src/models/index.js';
import { type ChainKeys, type ChainModel, type ChainProof, chainVerifyingKey, compileChain, gpt2Cuts, proveChain, segmentInstances, setupChain, splitGraph, verifyChain } from '../../src/models/chain.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { LINK_IN, LINK_OUT, publicInstances } from '../../src/models/compile.js';

const config = { layers: 2, heads: 2, width: 8, context: 4, vocabulary: 16, hidden: 16 };
const graph = buildGpt2(config, { tokens: 3, seed: 'chain-test', name: 'gpt2-2l' });
const samples = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 15, 3], [11, 12, 13]].map((t) => ({ tokens: t }));
const quant = calibrate(graph, samples, { scale: 7 }).quant;
const model = compileModel(graph, quant, { visibility: { weights: 'committed' }, fixedColumns: 4 });

describe('splitGraph', () => {
  it('cuts GPT-2 after the embedding and each block: layers + 2 segments, each reading only the previous cut', () => {
    const cuts = gpt2Cuts(model.graph);
    expect(cuts).toHaveLength(config.layers + 1);
    const parts = splitGraph(model.graph, cuts);
    expect(parts).toHaveLength(config.layers + 2);
    expect(parts[0]!.graph.inputs.map((i) => i.name)).toEqual(['tokens']);
    expect(parts[0]!.link).toEqual({ input: false, output: true });
    parts.slice(1).forEach((p, j) => expect(p.graph.inputs.map((i) => i.name)).toEqual([cuts[j]]));
    expect(parts.at(-1)!.link).toEqual({ input: true, output: false });
    expect(parts.at(-1)!.graph.outputs).toEqual(model.graph.outputs);
    // every node lands in exactly one segment
    expect(parts.reduce((a, p) => a + p.graph.nodes.length, 0)).toBe(model.graph.nodes.length);
  });

  it('names the tensor that crosses a bad cut, and rejects unknown or out-of-order cuts', () => {
    // after ln1 the block's residual add still reads the block input
    const ln1 = model.graph.nodes.find((n) => n.name === 'h0.ln1')!.output;
    expect(() => splitGraph(model.graph, [ln1])).toThrow(/reads "embed".*crosses a cut/);
    expect(() => splitGraph(model.graph, ['nope'])).toThrow(/cut 0 "nope" is not the output of a node/);
    const cuts = gpt2Cuts(model.graph);
    expect(() => splitGraph(model.graph, [cuts[1]!, cuts[0]!])).toThrow(/must be in order/);
  });
});

describe('linked segment proofs (2-block GPT-2, committed weights)', () => {
  let chain: ChainModel;
  let keys: ChainKeys;
  let kzg: KzgParams;
  const q = new QuantEvaluator(model.graph, model.quant, model.weights);
  const qa = q.quantizeInputs({ tokens: [1, 2, 3] });
  const qb = q.quantizeInputs({ tokens: [9, 4, 0] });
  let a: { proof: ChainProof; values: Map<string, { data: BigInt64Array }> };
  let b: { proof: ChainProof; values: Map<string, { data: BigInt64Array }> };
  const instancesOf = (values: Map<string, { data: BigInt64Array }>) => chain.segments.map((s) => segmentInstances(s, values as never));

  beforeAll(() => {
    chain = compileChain(model, gpt2Cuts(model.graph));
    kzg = new KzgParams(unsafeDevSrs(chain.k));
    keys = setupChain(chain, kzg);
    a = proveChain(chain, keys, qa, kzg);
    b = proveChain(chain, keys, qb, kzg);
  }, 240_000);

  it('compiles every segment at one k; the blocks share one key; links are dedicated columns', () => {
    expect(chain.segments).toHaveLength(config.layers + 2);
    const blockKeys = chain.segments.slice(1, -1).map((s) => s.key);
    expect(new Set(blockKeys).size).toBe(1);
    expect(keys.pks).toHaveLength(3); // embedding, block, head
    expect(keys.keyOf).toEqual([0, 1, 1, 2]);
    // hiding weight commitments by default; the verifier's part of the keys carries no blinds
    expect(keys.weights.every((w) => w?.hiding === true)).toBe(true);
    expect(keys.secrets.every((x) => x !== undefined)).toBe(true);
    expect(Object.keys(chainVerifyingKey(keys))).toEqual(['k', 'vks', 'keyOf', 'weights']);
    for (const pk of keys.pks) expect(pk.vk.k).toBe(chain.k);
    const names = keys.pks[1]!.vk.circuit.advice.map((c) => (c as { name?: string }).name);
    expect(names).toContain(LINK_IN);
    expect(names).toContain(LINK_OUT);
  });

  it('proves and verifies; the logits equal the whole-model quantized evaluation', () => {
    const whole = q.run(qa);
    expect(a.values.get('lm_head')!.data).toEqual(whole.get('lm_head')!.data);
    // the statement: the tokens in the first segment, the logits in the last, nothing public in between
    const inst = instancesOf(a.values);
    expect(inst[0]![0]).toHaveLength(3);
    expect(inst[1]![0]).toHaveLength(0);
    expect(inst.at(-1)![0]).toEqual(publicInstances(chain.segments.at(-1)!.params, whole)[0]);
    const r = verifyChain(chain, chainVerifyingKey(keys), a.proof, inst, kzg.verifierParams());
    expect(r).toEqual({ ok: true, links: 3 });
    expect(verifyChain(chain, chainVerifyingKey(keys), b.proof, instancesOf(b.values), kzg.verifierParams()).ok).toBe(true);
  });

  it('rejects a segment proof from another run (valid alone, another boundary tensor): the link commitments differ', () => {
    const mixed: ChainProof = { segments: a.proof.segments.map((s, j) => (j === 2 ? b.proof.segments[2]! : s)) };
    const r = verifyChain(chain, chainVerifyingKey(keys), mixed, instancesOf(a.values), kzg.verifierParams());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/segment 2.*input is not the previous segment's output/);
  });

  it('rejects swapped blocks, other logits, a flipped byte and a missing segment', () => {
    const vk = chainVerifyingKey(keys);
    const vp = kzg.verifierParams();
    const s = a.proof.segments;
    const swapped: ChainProof = { segments: [s[0]!, s[2]!, s[1]!, s[3]!] };
    expect(verifyChain(chain, vk, swapped, instancesOf(a.values), vp).ok).toBe(false);
    const inst = instancesOf(a.values);
    const last = inst.at(-1)!;
    const other = [...inst.slice(0, -1), [last[0]!.map((v, i) => (i === 0 ? (v + 1n) % 21888242871839275222246405745257275088548364400416034343698204186575808495617n : v)), ...last.slice(1)]];
    expect(verifyChain(chain, vk, a.proof, other, vp).ok).toBe(false);
    const flipped = s[1]!.proof.slice();
    flipped[flipped.length - 40]! ^= 1;
    expect(verifyChain(chain, vk, { segments: s.map((x, j) => (j === 1 ? { ...x, proof: flipped } : x)) }, inst, vp).ok).toBe(false);
    const short = verifyChain(chain, vk, { segments: s.slice(0, -1) }, inst, vp);
    expect(short.ok).toBe(false);
    expect(short.reason).toMatch(/expected 4 segment proofs/);
  });
});
