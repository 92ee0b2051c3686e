/**
 * One user action that calls main (create a case, start a job, save a key): its pending state and
 * its error, with the ApiError's issues addressable by field path so each input shows the issue that
 * names it (`error={action.issue('parties.owner')}`), and whatever no input shows appears once above
 * the form (`action.rest(['name', 'parties'])`).
 */
import { useCallback, useRef, useState } from 'react';
import { ApiError, type ApiIssue } from '../../../shared/api.ts';

export interface Action<A extends unknown[], R> {
  /** Resolves with the result, or undefined when it failed (the error is then in `error`). */
  run: (...args: A) => Promise<R | undefined>;
  pending: boolean;
  error: Error | null;
  /** The message of the issues at `path` or below it, for the input that edits `path`. */
  issue: (path: string) => string | undefined;
  /** The error's text less the issues that the given field paths show; null when nothing is left. */
  rest: (fieldPaths: readonly string[]) => string | null;
  reset: () => void;
}

function under(issue: ApiIssue, path: string): boolean {
  return issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`);
}

export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;

  const run = useCallback(async (...args: A) => {
    setPending(true);
    setError(null);
    try {
      return await fnRef.current(...args);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);

  const issues = error instanceof ApiError ? error.issues : [];
  const issue = (path: string) => {
    const found = issues.filter((i) => under(i, path));
    if (found.length === 0) return undefined;
    return found.map((i) => (i.path === path ? i.message : `${i.path.slice(path.length + 1)}: ${i.message}`)).join('; ');
  };
  const rest = (fieldPaths: readonly string[]) => {
    if (!error) return null;
    if (issues.length === 0) return error.message;
    const left = issues.filter((i) => !fieldPaths.some((p) => under(i, p)));
    if (left.length === 0) return null;
    return left.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  };
  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, issue, rest, reset };
}
