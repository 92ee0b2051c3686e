/**
 * What a job's worker receives: the job spec with every path resolved and checked, every output
 * location chosen, the case directory found, and an endpoint's API key turned into its header (in
 * main, by job-prepare.ts). Structured-clonable; it may hold a secret, so it is never logged and
 * never part of a job record.
 */
import type { SuspectSpec } from '../../engine/suspects/open-suspect.ts';

export interface TaskBase {
  jobId: string;
  dataDir: string;
  /** initBackend's choice ('auto' lets $PROVENANT_BACKEND or the fastest available decide). */
  backend: string;
}

export type TaskPayload = TaskBase &
  (
    | { kind: 'train'; dataset: 'mnist' | 'fashion-mnist'; arch: 'mlp' | 'lenet' | 'cnn' | 'vgg' | 'resnet'; seed: number; epochs?: number; outDir: string; caseDir?: string }
    | { kind: 'suite'; sourceDir: string; outDir: string; preset: 'small' | 'standard' | 'paper' | 'pool' | 'calibration'; purpose: 'suite' | 'pool'; seed: number }
    | { kind: 'generate'; caseDir: string; method: string; sourceDir: string; poolDir?: string; params: Record<string, unknown>; seed: number; outDir: string }
    | { kind: 'verify'; caseDir: string; triggersDir: string; suspect: SuspectSpec; nullSuiteDir: string; labelsOnly: boolean; level: number; budget?: number }
    | { kind: 'replay'; bundle: string; suspect: SuspectSpec; labelsOnly?: boolean; trust: string[] }
    | { kind: 'report'; caseDir: string; runId: number; out: string }
    | { kind: 'bundle-export'; caseDir: string; runId: number; keyFile: string; out: string }
    | { kind: 'bundle-import'; caseDir: string; file: string; trust: string[]; outDir: string }
  );

export type TaskOf<K extends TaskPayload['kind']> = Extract<TaskPayload, { kind: K }>;

/** Who the case's audit log names for the workbench's writes. */
export const WORKBENCH_ACTOR = 'provenant workbench';
