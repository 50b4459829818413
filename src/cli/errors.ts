/**
 * The CLI's typed errors. `UsageError` is every usage or input problem
 * (exit 2): the message names the flag, file or value and what was
 * expected. `RefusedError` is a request the CLI will not carry out because
 * the result would not mean what it seems to (exit 2, with what to use
 * instead).
 */
import { ZkTensorError } from '../field/errors.js';

export class UsageError extends ZkTensorError {
  override readonly name: string = 'UsageError';
}

/** A statement the CLI refuses to set up (it would not bind what it names). */
export class RefusedError extends UsageError {
  override readonly name: string = 'RefusedError';
}

/** `weights=private` without a commitment: the weights become free witnesses. */
export class PrivateWeightsError extends RefusedError {
  override readonly name = 'PrivateWeightsError';
  constructor() {
    super(
      'visibility weights=private is refused: uncommitted private weights are free witnesses, so a proof made with ' +
        'any other weights would verify as this model. Use weights=committed (kept out of the circuit but bound by ' +
        'commitments setup stores in vk.bin), weights=fixed (part of the circuit; the verifying key fingerprints them) or weights=public.',
    );
  }
}

/** The model's estimated memory exceeds the machine's (without --force). */
export class TooLargeError extends RefusedError {
  override readonly name = 'TooLargeError';
}
