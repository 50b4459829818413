/**
 * The page's prover, in a module Web Worker: proving takes seconds of CPU
 * and the page must stay responsive; and only a worker may block
 * (Atomics.wait), which the library's thread pool needs — so where the page
 * is cross-origin isolated (SharedArrayBuffer available) this worker spawns
 * the library's own workers as well.
 */
import { proveGpt2Tiny, proveOnnx, type ProofRun } from './run.js';

export interface ProveRequest {
  readonly prompt: string;
  readonly onnx: { readonly name: string; readonly bytes: Uint8Array; readonly sample: Record<string, number[]> };
  readonly workers: number;
}

export type ProverMessage =
  | { readonly kind: 'progress'; readonly line: string }
  | { readonly kind: 'done'; readonly runs: ProofRun[]; readonly isolated: boolean }
  | { readonly kind: 'error'; readonly message: string };

const scope = self as unknown as { postMessage(m: ProverMessage): void; onmessage: ((e: MessageEvent<ProveRequest>) => Promise<void>) | null };

scope.onmessage = async (e) => {
  const req = e.data;
  const report = (line: string) => scope.postMessage({ kind: 'progress', line });
  try {
    // the pool needs SharedArrayBuffer: only on a cross-origin isolated page
    const workers = typeof SharedArrayBuffer === 'function' ? req.workers : 0;
    report(`threads: ${workers + 1} (${workers ? 'SharedArrayBuffer available' : 'not cross-origin isolated: sequential'})`);
    const runs = [await proveGpt2Tiny(req.prompt, workers, report), await proveOnnx(req.onnx.name, req.onnx.bytes, req.onnx.sample, workers, report)];
    scope.postMessage({ kind: 'done', runs, isolated: typeof SharedArrayBuffer === 'function' });
  } catch (err) {
    scope.postMessage({ kind: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
