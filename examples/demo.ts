/**
 * `npm run demo`: the main job of today's build, end to end — build a
 * PLONKish circuit (8 advice columns, a degree-3 custom gate, a byte lookup,
 * copy constraints), generate keys on a development SRS, prove, verify, and
 * show that a tampered proof is rejected. (The model layer will replace the
 * circuit with a GPT-2-shaped model when it lands.)
 */
import { standardValid } from './circuits/index.js';
import { keygen } from '../src/plonkish/backend/keygen.js';
import { prove } from '../src/plonkish/backend/prover.js';
import { verify } from '../src/plonkish/backend/verifier.js';
import { MockProver } from '../src/plonkish/frontend/index.js';
import { KzgParams, unsafeDevSrs } from '../src/pcs/kzg.js';

const k = Number(process.env.K ?? 12);
const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

const c = standardValid(k);
console.log(`circuit: standard (8 advice, degree-3 gate, byte lookup, copies), k = ${k} (${2 ** k} rows)`);
let t = performance.now();
const failures = MockProver.run(k, c.circuit, c.instances).verify();
console.log(`mock prover: ${failures.length === 0 ? 'all gates, lookups and copies hold' : `${failures.length} failures`} (${ms(t)})`);
t = performance.now();
const params = new KzgParams(unsafeDevSrs(k, 'demo'));
console.log(`SRS: unsafe development SRS 2^${k} (${ms(t)}) — for demos only`);
t = performance.now();
const pk = keygen(c.circuit, params, k);
console.log(`keygen: ${pk.vk.fixedCommitments.length} fixed commitments, degree ${pk.arg.degree} (${ms(t)})`);
t = performance.now();
const proof = prove(pk, c.circuit, c.instances, params);
console.log(`prove: ${proof.length} bytes (${ms(t)})`);
const vp = params.verifierParams();
t = performance.now();
const ok = verify(pk.vk, proof, c.instances, vp);
console.log(`verify: ${ok.ok ? 'accepted' : `REJECTED (${ok.reason})`} (${ms(t)})`);
const tampered = proof.slice();
tampered[tampered.length >> 1]! ^= 1;
const bad = verify(pk.vk, tampered, c.instances, vp);
console.log(`verify tampered proof: ${bad.ok ? 'ACCEPTED (bug!)' : `rejected — ${bad.reason}`}`);
if (!ok.ok || bad.ok || failures.length) process.exitCode = 1;
