/** An affine G1 point with canonical bigint coordinates, or null for the point at infinity. */
export type AffinePoint = { readonly x: bigint; readonly y: bigint } | null;
