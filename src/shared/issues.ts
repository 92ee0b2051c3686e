/** Turns zod issues into ApiIssues whose text names the field at fault. */
import type { z } from 'zod';
import type { ApiIssue } from './api.ts';

/** ['items', 2, 'name'] → 'items[2].name'; [] → ''. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export function toIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** 'kind: Invalid option: expected one of "builtin"|"folder"; Unrecognized key: "knd"' */
export function describeIssues(issues: readonly ApiIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
