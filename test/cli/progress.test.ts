/**
 * Progress rendering (no timing assertions): plain lines per phase with the
 * phase number and an ETA from the estimates; a TTY bar redrawn in place;
 * fine progress from a hook; nothing at all without a sink.
 */
import { describe, expect, it } from 'vitest';
import { formatSeconds, Progress, type ProgressSink } from '../../src/cli/progress.js';

function sink(isTTY: boolean): ProgressSink & { text: string } {
  const s = { isTTY, columns: 200, text: '', write: (t: string) => void (s.text += t) };
  return s;
}

describe('Progress', () => {
  it('plain: a start and a done line per phase, with the remaining estimate as ETA', () => {
    const s = sink(false);
    const p = new Progress(s, [{ name: 'load' }, { name: 'keygen', estimate: 5 }, { name: 'prove', estimate: 20 }]);
    p.start('load');
    p.end();
    const hook = p.start('keygen');
    for (let i = 1; i <= 4; i++) hook(i, 4);
    p.end('cached');
    p.start('prove');
    p.end();
    const lines = s.text.trim().split('\n');
    expect(lines[0]).toBe('[load] 1/3 start · ETA 25 s');
    expect(lines[1]).toMatch(/^\[load\] 1\/3 done in [\d.]+ s · total [\d.]+ s · ETA 25 s$/);
    expect(lines[2]).toMatch(/^\[keygen\] 2\/3 start \(estimate 5\.0 s\) · ETA [\d.]+ s$/);
    expect(lines.filter((l) => /^\[keygen\] 2\/3 (25|50|75)% /.test(l))).toHaveLength(3);
    expect(lines).toContainEqual(expect.stringMatching(/^\[keygen\] 2\/3 done in [\d.]+ s \(cached\) · total/));
    expect(lines[lines.length - 1]).toMatch(/^\[prove\] 3\/3 done in [\d.]+ s · total [\d.]+ s$/);
  });

  it('plain: one line per named step a phase reports', () => {
    const s = sink(false);
    const p = new Progress(s, [{ name: 'keygen', estimate: 4 }]);
    const hook = p.start('keygen');
    ['synthesize', 'copy cycles', 'fixed commitments'].forEach((step, i) => hook(i, 3, step));
    hook(3, 3, 'done');
    p.end();
    const lines = s.text.trim().split('\n');
    expect(lines.slice(1, 4).map((l) => l.replace(/ · .*/, ''))).toEqual(['[keygen] 1/1 step 1/3 synthesize', '[keygen] 1/1 step 2/3 copy cycles', '[keygen] 1/1 step 3/3 fixed commitments']);
    expect(lines).toHaveLength(5);
  });

  it('TTY: one line per phase, redrawn with a bar, ended by a newline', () => {
    const s = sink(true);
    const p = new Progress(s, [{ name: 'prove', estimate: 10 }]);
    const hook = p.start('prove');
    hook(1, 2, 'quotient part 1/2');
    p.end();
    const draws = s.text.split('\r\x1b[K').filter(Boolean);
    expect(draws[0]).toMatch(/^\[prove\] 1\/1 \[-{20}\]   0% [\d.]+ s \/ ~10 s · ETA [\d.]+ s$/);
    expect(draws[1]).toMatch(/^\[prove\] 1\/1 \[#{10}-{10}\]  50% .* · quotient part 1\/2$/);
    expect(draws[2]).toMatch(/^\[prove\] 1\/1 done in [\d.]+ s · total [\d.]+ s\n$/);
    expect(s.text.split('\n')).toHaveLength(2);
  });

  it('no sink: silent, and still measures', () => {
    const p = new Progress(undefined, [{ name: 'a' }]);
    p.start('a');
    expect(p.end()).toBeGreaterThanOrEqual(0);
  });

  it('formats durations', () => {
    expect(formatSeconds(1.234)).toBe('1.2 s');
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(600)).toBe('10.0 min');
    expect(formatSeconds(7200)).toBe('2.0 h');
  });
});
