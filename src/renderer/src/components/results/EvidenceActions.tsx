/**
 * The evidence made from a run: the PDF report and the signed bundle (each a job; the files appear
 * here once made), and an arbiter's replay of a bundle against a suspect (REPRODUCED or DIFFERS).
 */
import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { OutputOf } from '../../../../shared/contract.ts';
import { useJobs } from '../../api/jobs.tsx';
import { useAction } from '../../api/use-action.ts';
import { shortHash } from '../../format.ts';
import type { CaseData } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';
import { JobSlot } from '../case/JobSlot.tsx';
import { ReplayModal } from './ReplayModal.tsx';

export function EvidenceActions({ data, result }: { data: CaseData; result: OutputOf<'runs.get'> }) {
  const caseId = data.case.id;
  const runId = result.run.id;
  const { start } = useJobs();
  const [replaying, setReplaying] = useState(false);
  const report = useAction(() => start({ kind: 'report', caseId, runId }, `PDF report of run ${runId}`));
  const bundle = useAction(() => start({ kind: 'bundle-export', caseId, runId }, `Bundle of run ${runId}`));
  const complete = result.run.status === 'complete' && result.run.verdict !== undefined;
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={4}>Evidence</Title>
        <Group>
          <Button onClick={() => void report.run()} loading={report.pending} disabled={!complete} data-testid="export-report">
            Export PDF report
          </Button>
          <Button variant="light" onClick={() => void bundle.run()} loading={bundle.pending} disabled={!complete} data-testid="export-bundle">
            Export signed bundle
          </Button>
          <Button variant="default" onClick={() => setReplaying(true)} data-testid="replay-open">
            Replay a bundle…
          </Button>
        </Group>
        <FormError message={report.rest([]) ?? bundle.rest([])} />
        <JobSlot caseId={caseId} kinds={['report', 'bundle-export', 'bundle-import']} testId="evidence-job" />
        {result.report && (
          <Text size="sm">
            Report: <code data-testid="report-file">{result.report.file}</code> (sha256 {shortHash(result.report.sha256)})
          </Text>
        )}
        {result.bundle && (
          <Text size="sm">
            Bundle: <code data-testid="bundle-file">{result.bundle.file}</code> (sha256 {shortHash(result.bundle.sha256)}, signer{' '}
            <code data-testid="bundle-signer">{result.bundle.signer}</code>)
          </Text>
        )}
      </Stack>
      <ReplayModal opened={replaying} onClose={() => setReplaying(false)} data={data} bundle={result.bundle} />
    </Card>
  );
}
