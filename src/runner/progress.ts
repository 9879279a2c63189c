// Progress output: a live bar on a terminal, one quiet line per finished run elsewhere (CI, pipes).
import type { Io } from '../io';
import type { Progress } from '../train/trainer';

export class ProgressReporter {
  private lastDraw = 0;
  private runStarted = 0;

  constructor(
    private readonly io: Io,
    private readonly total: number,
  ) {}

  startRun(index: number, id: string): void {
    this.runStarted = Date.now();
    if (this.io.isTty) this.io.out(`\r\x1b[2K[${index}/${this.total}] ${id} …`);
  }

  /** Redraws the bar at most ten times a second. */
  update(index: number, id: string, p: Progress): void {
    if (!this.io.isTty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const done = (p.epoch - 1) * p.stepsPerEpoch + p.stepInEpoch;
    const all = p.epochs * p.stepsPerEpoch;
    const elapsed = (now - this.runStarted) / 1000;
    const eta = done > 0 ? (elapsed / done) * (all - done) : NaN;
    const width = 20;
    const filled = Math.round((done / Math.max(all, 1)) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const accuracy = Number.isFinite(p.testAccuracy) ? ` acc ${(p.testAccuracy * 100).toFixed(2)}%` : '';
    this.io.out(
      `\r\x1b[2K[${index}/${this.total}] ${id} ${bar} epoch ${p.epoch}/${p.epochs} step ${p.stepInEpoch}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)}${accuracy} ETA ${formatSeconds(eta)}`,
    );
  }

  /** One line per finished run, on a terminal and off it. */
  endRun(index: number, id: string, line: string): void {
    this.io.out(`${this.io.isTty ? '\r\x1b[2K' : ''}[${index}/${this.total}] ${id}: ${line}\n`);
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
