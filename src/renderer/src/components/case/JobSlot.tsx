/** The progress of the newest job of some kinds in this case, shown where that job was started. */
import { Paper } from '@mantine/core';
import { useLatestJob, type JobKind } from '../../api/jobs.tsx';
import { JobProgress } from '../jobs/JobProgress.tsx';

export function JobSlot({ caseId, kinds, testId }: { caseId: string; kinds: readonly JobKind[]; testId: string }) {
  const job = useLatestJob(caseId, kinds);
  if (!job) return null;
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <JobProgress job={job} />
    </Paper>
  );
}
