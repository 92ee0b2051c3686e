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
