/**
 * Proof framing shared by prover and verifier: "ZKTP" | version u32 |
 * transcript bytes (points and scalars in protocol order). Instances are not
 * in the proof; both sides absorb them after the VK digest (and the binding below): the column
 * count, then per column its length and values. Late instance columns
 * (phase > 0) are the exception: absorbed there as empty, their values travel
 * in the proof after their phase's advice commitments (late-instances.ts).
 * An optional statement binding (bytes of the statement outside the circuit,
 * e.g. the committed weights' fingerprint) is absorbed between the VK digest
 * and the instances; without one nothing is absorbed there.
 */
import { Fr, ZkTensorError } from '../../field/index.js';
import type { Argument } from './argument.js';
import type { Transcript } from './transcript.js';

export const PROOF_MAGIC = Uint8Array.from([0x5a, 0x4b, 0x54, 0x50]); // "ZKTP"
/** 3: the quotient is committed in blinded pieces of n − 1 coefficients; 2: logUp helpers offset by |g|/β. */
export const PROOF_VERSION = 3;

export class InstanceError extends ZkTensorError {
  override readonly name = 'InstanceError';
}

/** Typed error naming the column when the instances do not fit the circuit. */
export function checkInstances(arg: Argument, instances: readonly (readonly bigint[])[]): void {
  if (!Array.isArray(instances) || instances.length !== arg.numInstance) {
    throw new InstanceError(`instances: expected ${arg.numInstance} columns, got ${Array.isArray(instances) ? instances.length : typeof instances}`);
  }
  instances.forEach((col, i) => {
    if (!Array.isArray(col)) throw new InstanceError(`instances: column ${i} is not an array`);
    if (col.length > arg.usableRows) throw new InstanceError(`instances: column ${i} has ${col.length} values, at most ${arg.usableRows} fit`);
    col.forEach((v, r) => {
      if (typeof v !== 'bigint' || !Fr.isValid(v)) throw new InstanceError(`instances: column ${i} row ${r}: expected a bigint in [0, r), got ${String(v)}`);
    });
  });
}

export function absorbInstances(t: Transcript, instances: readonly (readonly bigint[])[]): void {
  t.commonScalar(BigInt(instances.length));
  for (const col of instances) {
    t.commonScalar(BigInt(col.length));
    for (const v of col) t.commonScalar(v);
  }
}

/**
 * Absorbs the statement binding, if any (prover and verifier: the same bytes
 * at the same place, so a proof made for one binding fails under another).
 */
export function absorbBinding(t: Transcript, bind: Uint8Array | undefined): void {
  if (bind === undefined) return;
  if (!(bind instanceof Uint8Array)) throw new InstanceError(`statement binding: expected a Uint8Array, got ${typeof bind}`);
  t.commonBytes(bind);
}
