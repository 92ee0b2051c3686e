/** The case store's public surface (see docs/decisions/case-store.md). */
export { openCase, CASE_FILE, type CaseStore, type OpenCaseOptions } from './case-store.ts';
export type { CheckReport, ExhibitFinding, RowFinding } from './case-check.ts';
export type { ChainBreak, ChainReport } from './audit-log.ts';
export type { RunRecorder } from './run-recorder.ts';
export { hashExhibit, directoryDigest, type ExhibitHash } from './exhibit-hash.ts';
export { canonicalJson, rowHash, sha256Hex } from './canonical.ts';
export * from './types.ts';
