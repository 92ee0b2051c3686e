/** Captures what a CLI run writes (stdout, stderr, console) for assertions; restore with vi.restoreAllMocks(). */
import { vi } from 'vitest';

export function capture(): { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  vi.spyOn(console, 'log').mockImplementation((s) => void out.push(String(s)));
  vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)));
  return { out: () => out.join(''), err: () => err.join('') };
}
