/**
 * Refuse a model the machine cannot hold before any work starts: the cost
 * estimate's memory (models/cost.ts) against os.totalmem(). gpt2-small, say,
 * would otherwise run for minutes and die with a RangeError. `--force`
 * tries anyway.
 */
import { totalmem } from 'node:os';
import type { CostEstimate } from '../models/index.js';
import { TooLargeError, UsageError } from './errors.js';

export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = 0;
  while (b >= 1024 && u < units.length - 1) (b /= 1024), u++;
  return `${b.toFixed(1)} ${units[u]}`;
}

export function checkFits(command: string, name: string, cost: CostEstimate, force: boolean, machineBytes = totalmem()): void {
  if (cost.tooLarge) throw new UsageError(`${command}: ${name}: ${cost.tooLarge}`);
  const need = cost.estimate.memoryBytes;
  if (need > machineBytes && !force) {
    throw new TooLargeError(
      `${command}: ${name} needs about ${formatBytes(need)} of memory (k = ${cost.k}), this machine has ${formatBytes(machineBytes)}; ` +
        'refusing before starting (pass --force to try anyway)',
    );
  }
}
