/**
 * Typed errors of the field layer. Every message says what was wrong and what
 * was expected, in the noble style: `fn: expected X, got Y`.
 */
export class FieldError extends Error {
  override readonly name: string = 'FieldError';
}

/** Bytes or integers that are not a canonical field element (value ≥ p, wrong length, …). */
export class NonCanonicalError extends FieldError {
  override readonly name = 'NonCanonicalError';
}

/** A division by zero or inversion of zero. */
export class ZeroInversionError extends FieldError {
  override readonly name = 'ZeroInversionError';
}

/** A vector operation whose operands have mismatched lengths or live in different arenas. */
export class ShapeError extends FieldError {
  override readonly name = 'ShapeError';
}
