// Write your own circuit: prove you know a secret x with x³ + x + 5 = y,
// where y is public. README.md shows this file with `from 'zktensor'`
// (test/package/own-circuit.test.ts keeps the two identical and runs it).
// Run it: npx tsx examples/own-circuit.ts
import {
  type AdviceColumn,
  type Circuit,
  type ConstraintSystem,
  type InstanceColumn,
  type Layouter,
  type Selector,
  Fr,
  KzgParams,
  MockProver,
  Value,
  keygen,
  prove,
  unsafeDevSrs,
  verify,
} from '../src/index.js';

interface CubicConfig {
  readonly x: AdviceColumn;
  readonly x2: AdviceColumn;
  readonly y: AdviceColumn;
  readonly q: Selector;
  readonly out: InstanceColumn;
}

class CubicCircuit implements Circuit<CubicConfig> {
  readonly params = undefined;
  // no x: the shape only (what keygen sees); with x: the prover's witness
  constructor(readonly secret?: bigint) {}

  configure(cs: ConstraintSystem): CubicConfig {
    const x = cs.adviceColumn({ name: 'x' });
    const x2 = cs.adviceColumn({ name: 'x2' });
    const y = cs.adviceColumn({ name: 'y' });
    const out = cs.instanceColumn({ name: 'y_public' });
    cs.enableEquality(y);
    cs.enableEquality(out);
    const q = cs.selector({ name: 'q_cubic' });
    // every constraint is a polynomial that must vanish on rows where q is on
    cs.createGate('cubic', (m) => [
      ['x2 = x·x', m.querySelector(q).mul(m.query(x).mul(m.query(x)).sub(m.query(x2)))],
      ['y = x·x2 + x + 5', m.querySelector(q).mul(m.query(x).mul(m.query(x2)).add(m.query(x)).add(5n).sub(m.query(y)))],
    ]);
    return { x, x2, y, q, out };
  }

  synthesize(layouter: Layouter, c: CubicConfig): void {
    const x = Value.fromOptional(this.secret);
    const y = layouter.region('cubic', (r) => {
      r.enableSelector(c.q, 0);
      r.assignAdvice(c.x, 0, x);
      r.assignAdvice(c.x2, 0, x.map((v) => Fr.mul(v, v)));
      return r.assignAdvice(c.y, 0, x.map((v) => Fr.add(Fr.add(Fr.mul(v, Fr.mul(v, v)), v), 5n)));
    });
    // the computed y must equal the public input's row 0
    layouter.constrainInstance(y, c.out, 0);
  }
}

export function main(): { ok: boolean; tamperedRejected: boolean; wrongClaimRejected: boolean } {
  const k = 4; // 2^4 rows
  const secret = 3n;
  const instances = [[35n]]; // 3³ + 3 + 5
  // the mock prover names any failing gate, copy or lookup before you pay for a proof
  const failures = MockProver.run(k, new CubicCircuit(secret), instances).verify();
  if (failures.length) throw new Error(`mock prover: ${failures.map(String).join('; ')}`);

  const params = new KzgParams(unsafeDevSrs(k, 'own-circuit example')); // a real deployment reads a ceremony: readPtau(bytes)
  const pk = keygen(new CubicCircuit(), params, k);
  const proof = prove(pk, new CubicCircuit(secret), instances, params);
  const vp = params.verifierParams();
  const ok = verify(pk.vk, proof, instances, vp);
  console.log(`proof: ${proof.length} bytes, verify: ${ok.ok ? 'accepted' : `rejected (${ok.reason})`}`);

  const tampered = proof.slice();
  tampered[tampered.length >> 1] = (tampered[tampered.length >> 1] ?? 0) ^ 1;
  const bad = verify(pk.vk, tampered, instances, vp);
  const wrong = verify(pk.vk, proof, [[36n]], vp);
  console.log(`tampered proof: ${bad.ok ? 'ACCEPTED' : 'rejected'}; claim y = 36: ${wrong.ok ? 'ACCEPTED' : 'rejected'}`);
  return { ok: ok.ok, tamperedRejected: !bad.ok, wrongClaimRejected: !wrong.ok };
}

if (process.argv[1]?.endsWith('own-circuit.ts')) main();
