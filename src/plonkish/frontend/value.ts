/**
 * A possibly-unknown witness value (halo2's `circuit::Value<V>`).
 *
 * During keygen there is no witness: circuits synthesize with unknown values
 * and the layouter records only the layout. During proving the same code runs
 * with known values. Phase-1 values computed from a challenge are unknown in
 * the phase-0 pass and known in the phase-1 pass. Combinators propagate
 * unknown-ness, so circuit code is written once for all of these.
 */
import { UnknownValueError } from './errors.js';

export class Value<T> {
  private static readonly UNKNOWN = new Value<never>(false, undefined as never);

  private constructor(
    private readonly known: boolean,
    private readonly inner: T,
  ) {}

  static known<T>(value: T): Value<T> {
    return new Value(true, value);
  }
  static unknown<T>(): Value<T> {
    return Value.UNKNOWN as Value<T>;
  }
  /** Known iff `value !== undefined` (convenient for optional witnesses). */
  static fromOptional<T>(value: T | undefined): Value<T> {
    return value === undefined ? Value.unknown() : Value.known(value);
  }
  /** Known iff every value is known. */
  static all<T>(values: readonly Value<T>[]): Value<T[]> {
    const out: T[] = [];
    for (const v of values) {
      if (!v.known) return Value.unknown();
      out.push(v.inner);
    }
    return Value.known(out);
  }

  isKnown(): boolean {
    return this.known;
  }
  map<U>(f: (value: T) => U): Value<U> {
    return this.known ? Value.known(f(this.inner)) : Value.unknown();
  }
  andThen<U>(f: (value: T) => Value<U>): Value<U> {
    return this.known ? f(this.inner) : Value.unknown();
  }
  zip<U>(other: Value<U>): Value<[T, U]> {
    return this.known && other.known ? Value.known([this.inner, other.inner]) : Value.unknown();
  }
  /** The value; throws `UnknownValueError` (naming `what`) if unknown. */
  get(what = 'Value.get'): T {
    if (!this.known) throw new UnknownValueError(`${what}: expected a known value, got Value.unknown()`);
    return this.inner;
  }
  getOr(fallback: T): T {
    return this.known ? this.inner : fallback;
  }
  toString(): string {
    return this.known ? `Value(${String(this.inner)})` : 'Value(unknown)';
  }
}

/** A plain value or a `Value` wrapper; plain values count as known. */
export type ValueLike<T> = T | Value<T>;

export function toValue<T>(v: ValueLike<T>): Value<T> {
  return v instanceof Value ? v : Value.known(v);
}
