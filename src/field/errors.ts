/**
 * Typed errors of the field layer. Every message says what was wrong and what
 * was expected, in the noble style: `fn: expected X, got Y`.
 */
/**
 * The one base of every error zktensor throws on purpose: `catch (e) { if (e
 * instanceof ZkTensorError) … }` tells our typed errors (bad input, a
 * rejected witness, a malformed file) from bugs and the engine's own errors.
 * `code` is a stable machine-readable name (the class name unless set).
 */
export class ZkTensorError extends Error {
  override readonly name: string = 'ZkTensorError';
}

export class FieldError extends ZkTensorError {
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
