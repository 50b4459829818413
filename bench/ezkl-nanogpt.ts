/**
 * One measured run of EZKL's nanoGPT ONNX file through the library API
 * (bench/suites/models.ts's `ezkl-nanogpt` case alone): keygen, prove and
 * verify with rows, k, proof bytes, peak RSS and the cost model's memory
 * estimate, printed as JSON rows in the benchmark contract (docs/benchmarks.md) with EZKL's published run
 * as the peer. Minutes on 2 cores:
 *
 *     /usr/bin/time -v npx tsx bench/ezkl-nanogpt.ts
 */
import { EZKL_NANOGPT_PUBLISHED, ezklNanogpt, measureCircuit } from './suites/models.js';
import type { BenchRow } from './lib.js';

const rows: BenchRow[] = [];
const log = (m: string) => process.stderr.write(`${m}\n`);
const t = process.hrtime.bigint();
const { params, qin } = ezklNanogpt();
log(`ezkl-nanogpt: import + calibrate + compile ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
measureCircuit('ezkl-nanogpt', params, qin, rows, log);
process.stdout.write(`${JSON.stringify([...rows, ...EZKL_NANOGPT_PUBLISHED], null, 1)}\n`);
process.exit(0);
