/**
 * What every part of an open case shares: the connection, where the case lives, who is acting, and
 * the one way to write — a write and its audit entry in the same committed transaction.
 */
import type Database from 'better-sqlite3';
import { appendAudit, type AuditedTable } from './audit-log.ts';

export interface StoreContext {
  db: Database.Database;
  dir: string;
  file: string;
  actor: string;
  readOnly: boolean;
  now(): string;
}

/**
 * Runs `fn` (which writes one row of `table` and returns its key) and appends the audit entry, in
 * one IMMEDIATE transaction: both are committed (and, with synchronous=FULL, on disk) or neither is.
 */
export function auditedWrite<T>(ctx: StoreContext, action: string, table: AuditedTable, fn: (time: string) => { rowId: string | number; value: T }): T {
  if (ctx.readOnly) throw new Error(`${ctx.dir}: the case is open read-only; cannot ${action}`);
  return ctx.db.transaction(() => {
    const time = ctx.now();
    const { rowId, value } = fn(time);
    appendAudit(ctx.db, { actor: ctx.actor, action, table, rowId, time });
    return value;
  }).immediate();
}
