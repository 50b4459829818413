/**
 * BN254 (alt_bn128) fields. The constants a reader needs (generator, roots of
 * unity) are derived by `PrimeField` from the modulus; the tests check them
 * against snarkjs/arkworks (generator 5 for Fr). halo2curves picks 7 as Fr's
 * generator, so its 2^28-th root of unity is a different (equally valid) one.
 *
 * The prime factors of p − 1 are listed so start-up does not have to find the
 * 51-bit factor of r − 1 by Pollard's rho; `PrimeField` verifies them (each a
 * probable prime, together exhausting p − 1) and a test refactors r − 1.
 */
import { PrimeField } from './prime.js';

/** Scalar field modulus r (group order of G1): 2-adicity 28. */
export const FR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Base field modulus q (coordinates of G1). */
export const FQ_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

export const FR_MINUS_1_PRIMES = [
  2n, 3n, 13n, 29n, 983n, 11003n, 237073n, 405928799n, 1670836401704629n, 13818364434197438864469338081n,
];
export const FQ_MINUS_1_PRIMES = [
  2n, 3n, 13n, 29n, 67n, 229n, 311n, 983n, 11003n, 405928799n, 11465965001n,
  13427688667394608761327070753331941386769n,
];

export const Fr = new PrimeField(FR_MODULUS, 'Fr', FR_MINUS_1_PRIMES);
export const Fq = new PrimeField(FQ_MODULUS, 'Fq', FQ_MINUS_1_PRIMES);
