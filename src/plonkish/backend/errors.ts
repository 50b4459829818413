/** The prover's typed error (a witness that does not satisfy the circuit, a missing column). */
import { ZkTensorError } from '../../field/index.js';

export class ProverError extends ZkTensorError {
  override readonly name = 'ProverError';
}
