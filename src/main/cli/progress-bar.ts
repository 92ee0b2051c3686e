/**
 * Training progress on stderr: a redrawn bar on a terminal, one line per epoch otherwise (CI logs,
 * pipes), so logs stay readable and a terminal stays calm.
 */
import type { TrainProgress } from '../engine/models/training.ts';

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function progressLine(p: TrainProgress, width = 24): string {
  const fraction = ((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches);
  const filled = Math.round(fraction * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  return (
    `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches} ` +
    `loss ${p.loss.toFixed(4)} acc ${(p.accuracy * 100).toFixed(2)}% ` +
    `${Math.round(p.samplesPerSecond)} samples/s ETA ${formatSeconds(p.etaSeconds)}`
  );
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): (p: TrainProgress) => void {
  const tty = Boolean(stream.isTTY);
  return (p) => {
    if (tty) {
      stream.write(`\r${progressLine(p)}\x1b[K`);
      if (p.batch === p.batches) stream.write('\n');
    } else if (p.batch === p.batches) {
      stream.write(`${progressLine(p)}\n`);
    }
  };
}

/**
 * Progress of a job reporting {done, total, message}: a redrawn line with ETA on a terminal; on a
 * pipe, at most one line per `every` seconds plus the last, so CI logs stay short.
 */
export function createJobProgress(stream: NodeJS.WriteStream = process.stderr, label = '', every = 10): (p: { done: number; total: number; message?: string }) => void {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let lastPrinted = -Infinity;
  let lastTotal = -1;
  let phaseStart = started;
  return (p) => {
    const now = performance.now();
    if (p.total !== lastTotal) [lastTotal, phaseStart] = [p.total, now]; // a new phase restarts the ETA
    const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const eta = fraction > 0 ? ((now - phaseStart) / 1000) * ((1 - fraction) / fraction) : NaN;
    const line = `${label}${label ? ' ' : ''}${p.done}/${p.total} ${p.message ?? ''} (${formatSeconds((now - started) / 1000)} elapsed, ETA ${formatSeconds(eta)})`;
    if (tty) stream.write(`\r${line}\x1b[K${p.done >= p.total ? '\n' : ''}`);
    else if (p.done >= p.total || now - lastPrinted >= every * 1000) {
      stream.write(`${line}\n`);
      lastPrinted = now;
    }
  };
}
