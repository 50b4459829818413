/** The backend's typed errors: keygen's (bad k, copies on columns without equality) and the prover's (a witness that does not satisfy the circuit, a missing column). */
import { ZkTensorError } from '../../field/index.js';

export class ProverError extends ZkTensorError {
  override readonly name = 'ProverError';
}

export class KeygenError extends ZkTensorError {
  override readonly name = 'KeygenError';
}
