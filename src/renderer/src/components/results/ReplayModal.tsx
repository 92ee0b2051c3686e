/**
 * What an arbiter does with a bundle: import it into the case (its signature checked against the
 * trusted signers), and replay it: the bundle's trigger set is sent to the suspect again and the
 * score, p-value and decision are compared bit for bit with the bundle's.
 */
import { Alert, Badge, Button, Divider, Group, List, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useJobs } from '../../api/jobs.tsx';
import { useAction } from '../../api/use-action.ts';
import type { CaseData } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';
import { EMPTY_SUSPECT, SuspectFields, suspectInput, type SuspectForm } from '../forms/SuspectFields.tsx';
import { JobProgress } from '../jobs/JobProgress.tsx';

interface Props {
  opened: boolean;
  onClose: () => void;
  data: CaseData;
  /** The bundle exported from the run on screen, offered first. */
  bundle?: { file: string; signer: string };
}

const splitList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

const asLines = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : []);

/** A replay job's result: whether it reproduced, what differs, and the notes it made (signer, mode, drift…). */
export function replayOutcome(result: unknown): { reproduced: boolean; differences: string[]; notes: string[] } | null {
  const r = result as { reproduced?: unknown; differences?: unknown; notes?: unknown } | null | undefined;
  if (typeof r?.reproduced !== 'boolean') return null;
  return { reproduced: r.reproduced, differences: asLines(r.differences), notes: asLines(r.notes) };
}

export function ReplayModal({ opened, onClose, data, bundle }: Props) {
  const caseId = data.case.id;
  const { start, jobs } = useJobs();
  const bundleExhibits = data.exhibits.filter((x) => x.role === 'bundle').map((x) => x.path);
  const offered = [...new Set([...(bundle ? [bundle.file] : []), ...bundleExhibits])];
  const [file, setFile] = useState<string | null>(null);
  const [trust, setTrust] = useState<string | null>(null);
  const [suspect, setSuspect] = useState<SuspectForm>(EMPTY_SUSPECT);
  const [mode, setMode] = useState<'bundle' | 'labels' | 'scores'>('bundle');
  const [replayJob, setReplayJob] = useState<string | null>(null);
  const bundleFile = file ?? offered[0] ?? '';
  const trusted = splitList(trust ?? bundle?.signer ?? '');

  const importBundle = useAction(() => start({ kind: 'bundle-import', caseId, file: bundleFile, trust: trusted }, 'Import bundle'));
  const replay = useAction(async () => {
    const jobId = await start(
      { kind: 'replay', bundle: bundleFile, suspect: suspectInput(suspect), trust: trusted, ...(mode === 'bundle' ? {} : { labelsOnly: mode === 'labels' }) },
      'Replay bundle',
    );
    setReplayJob(jobId);
    return jobId;
  });
  const job = jobs.find((j) => j.jobId === replayJob);
  const outcome = job?.status === 'done' ? replayOutcome(job.result) : null;
  const fields = ['bundle', 'file', 'trust', 'suspect', 'labelsOnly'];
  return (
    <Modal opened={opened} onClose={onClose} title="Replay a bundle" size="xl" data-testid="replay-modal">
      <Stack gap="sm">
        <Select
          label="Bundle file"
          description="A .pvb bundle: exported from a run here, or received from the other party"
          data={offered}
          value={bundleFile || null}
          onChange={setFile}
          searchable
          error={replay.issue('bundle') ?? importBundle.issue('file')}
          data-testid="replay-bundle"
        />
        <TextInput
          label="Trusted signers"
          description="sha256 fingerprints of the signing keys you accept, separated by spaces or commas"
          value={trust ?? bundle?.signer ?? ''}
          onChange={(e) => setTrust(e.currentTarget.value)}
          error={replay.issue('trust') ?? importBundle.issue('trust')}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          data-testid="replay-trust"
        />
        <Group>
          <Button variant="light" onClick={() => void importBundle.run()} loading={importBundle.pending} data-testid="import-bundle">
            Import into this case
          </Button>
          <Text size="xs" c="dimmed">
            Checks the signature, keeps the bundle as an exhibit.
          </Text>
        </Group>
        <FormError message={importBundle.rest(['file', 'trust'])} testId="import-error" />
        <Divider label="Replay against a suspect" labelPosition="left" />
        <SuspectFields value={suspect} onChange={setSuspect} issue={(p) => replay.issue(`suspect.${p}`)} data={data} testIdPrefix="replay-suspect" />
        <Select
          label="Answer mode"
          data={[
            { value: 'bundle', label: 'as recorded in the bundle' },
            { value: 'labels', label: 'labels only' },
            { value: 'scores', label: 'probabilities' },
          ]}
          value={mode}
          onChange={(v) => v && setMode(v as typeof mode)}
          allowDeselect={false}
          error={replay.issue('labelsOnly')}
        />
        <FormError message={replay.rest(fields)} testId="replay-error" />
        <Group justify="flex-end">
          <Button onClick={() => void replay.run()} loading={replay.pending} data-testid="replay-start">
            Replay
          </Button>
        </Group>
        {job && <JobProgress job={job} />}
        {outcome && (
          <Alert color={outcome.reproduced ? 'teal' : 'red'} data-testid="replay-outcome" data-reproduced={outcome.reproduced}>
            <Badge size="lg" color={outcome.reproduced ? 'teal' : 'red'}>
              {outcome.reproduced ? 'REPRODUCED' : 'DIFFERS'}
            </Badge>
            <Text size="sm" mt="xs">
              {outcome.reproduced
                ? 'The score, the p-value and the decision came out bit for bit as in the bundle.'
                : 'The replay did not give the numbers in the bundle.'}
            </Text>
            {[...outcome.differences, ...outcome.notes].length > 0 && (
              <List size="sm" mt="xs">
                {[...outcome.differences, ...outcome.notes].map((n) => (
                  <List.Item key={n}>{n}</List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
      </Stack>
    </Modal>
  );
}
