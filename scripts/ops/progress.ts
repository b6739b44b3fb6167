/** Where a progress bar may draw: stderr, so stdout stays clean for results and --json. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Whether to draw: `--progress` forces it on, `--no-progress` off; otherwise only when stderr is
 * a terminal (never in pipes, logs, CI or tests).
 */
export function progressWanted(flag: boolean | undefined, stream: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  if (flag !== undefined) return flag;
  return stream.isTTY === true && env.TERM !== 'dumb' && !env.CI;
}

/** A one-line progress bar: "importing [#######-------]  512/1000  51%  130/s  eta 4s". */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private drawnDone = -1;
  private readonly started: number;
  private finished = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly enabled: boolean,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    if (enabled) this.draw();
  }

  tick(n = 1): void {
    this.done = Math.min(this.total, this.done + n);
    if (!this.enabled || this.finished) return;
    if (this.done === this.total || this.now() - this.lastDraw >= 100) this.draw();
  }

  /** Draws the final state and ends the line, so what follows starts on a line of its own. */
  finish(): void {
    if (!this.enabled || this.finished) return;
    this.finished = true;
    if (this.drawnDone !== this.done) this.draw();
    this.stream.write('\n');
  }

  render(): string {
    const total = Math.max(1, this.total);
    const ratio = this.done / total;
    const elapsed = Math.max(1, this.now() - this.started) / 1000;
    const rate = this.done / elapsed;
    const eta = rate > 0 && this.done < this.total ? `  eta ${Math.ceil((this.total - this.done) / rate)}s` : '';
    const counts = `${String(this.done).padStart(String(this.total).length)}/${this.total}`;
    const tail = `  ${counts}  ${String(Math.floor(ratio * 100)).padStart(3)}%  ${`${rate.toFixed(rate < 10 ? 1 : 0)}/s`.padStart(6)}${eta.padEnd(10)}`;
    // A fixed width, so the line does not jump about as the numbers change.
    const columns = this.stream.columns ?? 80;
    const barWidth = Math.max(10, Math.min(30, columns - this.label.length - tail.length - 4));
    const filled = Math.round(ratio * barWidth);
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
  }

  private draw(): void {
    this.lastDraw = this.now();
    this.drawnDone = this.done;
    // On a terminal, clear what a longer previous line left; in a log the line is enough.
    this.stream.write(`\r${this.render()}${this.stream.isTTY ? '\x1b[K' : ''}`);
  }
}
