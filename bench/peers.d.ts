/** Minimal typings for the peers used only by benchmarks and cross-checks. */
declare module 'ffjavascript' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function buildBn128(singleThread?: boolean): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export const utils: any;
}
