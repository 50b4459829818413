/**
 * The page: fetches the ONNX fixture, starts the prover worker, shows its
 * progress, and writes the outcome into #result (JSON) and #status. When
 * served by scripts/browser-example.mjs it also POSTs the outcome to
 * /result, which is how the headless-browser test reads it.
 */
import type { ProveRequest, ProverMessage } from './prover-worker.js';

const log = document.getElementById('log')!;
const status = document.getElementById('status')!;
const result = document.getElementById('result')!;
const line = (text: string) => {
  const li = document.createElement('li');
  li.textContent = `${(performance.now() / 1000).toFixed(1)} s  ${text}`;
  log.append(li);
};

async function finish(outcome: object): Promise<void> {
  result.textContent = JSON.stringify(outcome, null, 2);
  await fetch('result', { method: 'POST', body: JSON.stringify(outcome) }).catch(() => undefined);
}

async function start(): Promise<void> {
  line(`cross-origin isolated: ${self.crossOriginIsolated ? 'yes' : 'no'}; ${navigator.hardwareConcurrency} cores`);
  const [bytes, sample] = await Promise.all([
    fetch('mlp.onnx').then((r) => r.arrayBuffer()),
    fetch('mlp.json').then((r) => r.json() as Promise<{ inputs: Record<string, number[]> }>),
  ]);
  const worker = new Worker('app/prover.js', { type: 'module' });
  const req: ProveRequest = {
    prompt: 'the',
    onnx: { name: 'mlp.onnx', bytes: new Uint8Array(bytes), sample: sample.inputs },
    // the prover worker itself is one thread; at most 3 more
    workers: Math.max(0, Math.min(3, navigator.hardwareConcurrency - 1)),
  };
  worker.onmessage = (e: MessageEvent<ProverMessage>) => {
    const m = e.data;
    if (m.kind === 'progress') line(m.line);
    else if (m.kind === 'done') {
      const ok = m.runs.every((r) => r.ok);
      status.textContent = ok ? 'verified' : 'REJECTED';
      void finish({ ok, isolated: m.isolated, runs: m.runs, userAgent: navigator.userAgent });
    } else {
      status.textContent = 'error';
      line(m.message);
      void finish({ ok: false, error: m.message });
    }
  };
  worker.onerror = (e) => {
    status.textContent = 'error';
    void finish({ ok: false, error: `worker: ${e.message}` });
  };
  worker.postMessage(req);
}

start().catch((err: unknown) => {
  status.textContent = 'error';
  void finish({ ok: false, error: String(err) });
});
