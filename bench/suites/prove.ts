/**
 * Suite `prove`: keygen, prove and verify of the standard circuit
 * (examples/circuits/standard.ts: 8 advice columns, a degree-3 gate, a byte
 * lookup, copies) at 2^12 … 2^18 rows, with proof bytes and peak RSS.
 * zktensor only (no JS peer proves PLONKish circuits with lookups).
 */
import { standardValid } from '../../examples/circuits/index.js';
import { keygen } from '../../src/plonkish/backend/keygen.js';
import { prove } from '../../src/plonkish/backend/prover.js';
import { verify } from '../../src/plonkish/backend/verifier.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import type { BenchRow, Suite } from '../lib.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export const suite: Suite = async ({ quick }) => {
  const ks = quick ? [12, 14] : [12, 14, 16, 18];
  const rows: BenchRow[] = [];
  const params = new KzgParams(unsafeDevSrs(Math.max(...ks), 'bench-prove'));
  for (const k of ks) {
    const samples = k >= 16 ? 1 : quick ? 1 : 3;
    const c = standardValid(k);
    const times = { keygen: [] as number[], prove: [] as number[], verify: [] as number[] };
    let proofBytes = 0;
    for (let s = 0; s < samples; s++) {
      let t = process.hrtime.bigint();
      const pk = keygen(c.circuit, params, k);
      times.keygen.push(Number(process.hrtime.bigint() - t));
      t = process.hrtime.bigint();
      const proof = prove(pk, c.circuit, c.instances, params);
      times.prove.push(Number(process.hrtime.bigint() - t));
      proofBytes = proof.length;
      const vp = params.verifierParams();
      verify(pk.vk, proof, c.instances, vp); // warm the pairing code
      t = process.hrtime.bigint();
      const r = verify(pk.vk, proof, c.instances, vp);
      times.verify.push(Number(process.hrtime.bigint() - t));
      if (!r.ok) throw new Error(`bench prove: the proof at k = ${k} did not verify: ${r.reason}`);
      pk.free();
    }
    const peak = Math.round(process.resourceUsage().maxRSS / 1024);
    for (const name of ['keygen', 'prove', 'verify'] as const) {
      rows.push({
        case: name,
        impl: 'zktensor',
        size: 2 ** k,
        median_ns: median(times[name]),
        samples,
        min_ns: Math.min(...times[name]),
        max_ns: Math.max(...times[name]),
        rows: 2 ** k,
        proof_bytes: proofBytes,
        peak_rss_mb: peak,
      });
    }
  }
  return rows;
};
