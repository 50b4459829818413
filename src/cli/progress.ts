/**
 * Per-phase progress on stderr: elapsed time, and an ETA from the cost
 * estimate (models/cost.ts) corrected by how fast the finished phases ran
 * against their own estimates.
 *
 *   TTY    one line per phase, redrawn in place:
 *            [keygen] 4/7 [#########-----------] 45%  2.3 s / ~5.1 s · ETA 24 s
 *   plain  a line when a phase starts and when it ends, and one per step
 *          the phase reports (named steps; unnamed ones at each 10%):
 *            [keygen] 4/7 start (estimate 5.1 s) · ETA 27 s
 *            [keygen] 4/7 step 3/4 fixed commitments · 2.0 s · ETA 24 s
 *            [keygen] 4/7 done in 5.3 s · total 6.1 s · ETA 21 s
 *
 * Keygen and proving are synchronous, so nothing can redraw while they run
 * unless they call back: `start` returns a `ProgressHook(done, total, step)`
 * for their `onStep` options (keygen.ts, prover.ts report steps as they
 * start).
 */

export interface ProgressSink {
  readonly isTTY: boolean;
  /** Raw text (the sink adds nothing). */
  write(text: string): void;
  /** Terminal width (TTY). */
  readonly columns?: number;
}

/** Fine progress inside a phase: `done` of `total` units of work, optionally naming the step now starting. */
export type ProgressHook = (done: number, total: number, step?: string) => void;

export interface PhasePlan {
  readonly name: string;
  /** Expected seconds (undefined: too small to estimate). */
  estimate?: number;
}

const BAR = 20;

export const formatSeconds = (s: number): string =>
  s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;

export class Progress {
  private readonly phases: PhasePlan[];
  private readonly t0 = performance.now();
  private current = -1;
  private phaseStart = 0;
  private label = '';
  private lastStep = -1;
  private spent = 0;
  private estimatedSpent = 0;

  constructor(
    private readonly sink: ProgressSink | undefined,
    phases: readonly PhasePlan[],
  ) {
    this.phases = phases.map((p) => ({ ...p }));
  }

  /** Set a phase's estimate once it is known (after compiling). */
  estimate(name: string, seconds: number | undefined): void {
    const p = this.phases.find((x) => x.name === name);
    if (p) p.estimate = seconds;
  }

  /** Begin phase `name` (shown as `label`, default the name); returns the fine-progress hook. */
  start(name: string, label = name): ProgressHook {
    if (this.current >= 0) this.end();
    this.current = this.phases.findIndex((p) => p.name === name);
    if (this.current < 0) throw new Error(`progress: unknown phase ${name}`);
    this.phaseStart = performance.now();
    this.label = label;
    this.lastStep = -1;
    if (this.sink?.isTTY) this.draw(0);
    else this.line(`start${this.phase.estimate !== undefined ? ` (estimate ${formatSeconds(this.phase.estimate)})` : ''}${this.eta(0)}`);
    return (done, total, step) => this.update(total > 0 ? Math.min(1, done / total) : 0, step, done, total);
  }

  /** End the current phase; returns its seconds. */
  end(note = ''): number {
    if (this.current < 0) return 0;
    const s = (performance.now() - this.phaseStart) / 1000;
    if (this.phase.estimate) {
      this.spent += s;
      this.estimatedSpent += this.phase.estimate;
    }
    const total = (performance.now() - this.t0) / 1000;
    const done = `done in ${formatSeconds(s)}${note ? ` (${note})` : ''} · total ${formatSeconds(total)}`;
    const eta = this.remaining(this.current + 1);
    const text = `${this.prefix()} ${done}${eta > 0 ? ` · ETA ${formatSeconds(eta)}` : ''}`;
    if (this.sink?.isTTY) this.sink.write(`\r\x1b[K${text}\n`);
    else this.sink?.write(`${text}\n`);
    this.current = -1;
    return Math.round(s * 1000) / 1000;
  }

  private get phase(): PhasePlan {
    return this.phases[this.current]!;
  }

  private prefix(): string {
    return `[${this.label}] ${this.current + 1}/${this.phases.length}`;
  }

  private line(text: string): void {
    this.sink?.write(`${this.prefix()} ${text}\n`);
  }

  /** Observed seconds per estimated second so far (1 until a phase with an estimate ends). */
  private speed(): number {
    return this.estimatedSpent > 0 ? Math.min(10, Math.max(0.1, this.spent / this.estimatedSpent)) : 1;
  }

  /** Estimated seconds of the phases from `from` on. */
  private remaining(from: number): number {
    let s = 0;
    for (let i = from; i < this.phases.length; i++) s += this.phases[i]!.estimate ?? 0;
    return s * this.speed();
  }

  /**
   * " · ETA …": the current phase plus the phases after it. The current
   * phase's rest blends its estimate (weight 1 − f) with extrapolation from
   * its fine progress f (weight f): steps are not equally long, so early
   * steps alone extrapolate badly.
   */
  private eta(fraction: number): string {
    const elapsed = (performance.now() - this.phaseStart) / 1000;
    const estimate = this.phase.estimate;
    const byEstimate = Math.max(0, (estimate ?? 0) * this.speed() - elapsed);
    const bySteps = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : byEstimate;
    const here = estimate === undefined ? (fraction > 0 ? bySteps : 0) : (1 - fraction) * byEstimate + fraction * bySteps;
    const left = here + this.remaining(this.current + 1);
    return left > 0 ? ` · ETA ${formatSeconds(left)}` : '';
  }

  private update(fraction: number, step?: string, done = 0, total = 0): void {
    if (this.current < 0) return;
    if (this.sink?.isTTY) return this.draw(fraction, step);
    const elapsed = formatSeconds((performance.now() - this.phaseStart) / 1000);
    if (step !== undefined) {
      if (done < total) this.line(`step ${done + 1}/${total} ${step} · ${elapsed}${this.eta(fraction)}`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.lastStep && tenth < 10) {
      this.lastStep = tenth;
      if (tenth > 0) this.line(`${Math.round(fraction * 100)}% ${elapsed}${this.eta(fraction)}`);
    }
  }

  private draw(fraction: number, step?: string): void {
    const filled = Math.round(fraction * BAR);
    const elapsed = (performance.now() - this.phaseStart) / 1000;
    const est = this.phase.estimate !== undefined ? ` / ~${formatSeconds(this.phase.estimate * this.speed())}` : '';
    let text = `${this.prefix()} [${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${formatSeconds(elapsed)}${est}${this.eta(fraction)}${step && step !== 'done' ? ` · ${step}` : ''}`;
    const cols = this.sink?.columns;
    if (cols && text.length >= cols) text = text.slice(0, cols - 1);
    this.sink?.write(`\r\x1b[K${text}`);
  }
}
