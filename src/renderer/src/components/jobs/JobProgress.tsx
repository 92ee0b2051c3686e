/**
 * One job's state: a progress bar with done/total and the ETA while it runs, a cancel button, and
 * the final state (done, failed with the error, cancelled) once it ended. Used by the jobs drawer and
 * inline in the tab that started the job.
 */
import { Badge, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useJobs, type JobView } from '../../api/jobs.tsx';
import { formatEta, percent } from '../../format.ts';

const STATUS_COLOR = { running: 'blue', done: 'teal', failed: 'red', cancelled: 'gray' } as const;

const KIND_LABEL: Record<string, string> = {
  train: 'Train source', suite: 'Build suite', generate: 'Generate trigger set', verify: 'Verify suspect', replay: 'Replay bundle',
  report: 'PDF report', 'bundle-export': 'Export bundle', 'bundle-import': 'Import bundle',
};

export function jobTitle(job: JobView): string {
  return job.label ?? (job.kind ? KIND_LABEL[job.kind] ?? job.kind : `Job ${job.jobId}`);
}

/**
 * done/total is a fraction on the job's own scale (a suite counts hundredths of models, a
 * verification thousandths of its work), so the bar shows a percentage and the job's message says
 * what is being done in its own units ("querying the suspect: 12/24").
 */
export function JobProgress({ job, compact = false }: { job: JobView; compact?: boolean }) {
  const { cancel } = useJobs();
  const [cancelling, setCancelling] = useState(false);
  const running = job.status === 'running';
  const value = job.status === 'done' ? 100 : percent(job.done, job.total);
  const counts = job.total > 0 ? `${Math.floor(value)} %` : running ? 'starting…' : '';
  return (
    <Stack gap={4} data-testid="job" data-job-id={job.jobId} data-job-kind={job.kind} data-job-status={job.status} data-progress-events={job.progressEvents}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          {!compact && (
            <Text size="sm" fw={500} truncate>
              {jobTitle(job)}
            </Text>
          )}
          <Badge size="sm" color={STATUS_COLOR[job.status]} variant="light" data-testid="job-status">
            {job.status}
          </Badge>
        </Group>
        {running && (
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            loading={cancelling}
            data-testid="job-cancel"
            aria-label={`Cancel ${jobTitle(job)}`}
            onClick={() => {
              setCancelling(true);
              void cancel(job.jobId).finally(() => setCancelling(false));
            }}
          >
            Cancel
          </Button>
        )}
      </Group>
      <Progress
        value={value}
        animated={running}
        color={STATUS_COLOR[job.status]}
        aria-label={`${jobTitle(job)} progress`}
        data-testid="job-progress"
        data-done={job.done}
        data-total={job.total}
      />
      <Group justify="space-between" gap="xs">
        <Text size="xs" c="dimmed" data-testid="job-counts">
          {counts}
          {running && job.total > 0 ? ` · ${formatEta(job.etaSeconds)} left` : ''}
        </Text>
        {job.message && running && (
          <Text size="xs" c="dimmed" truncate maw="70%" data-testid="job-message">
            {job.message}
          </Text>
        )}
      </Group>
      {job.status === 'failed' && (
        <Text size="xs" c="red" data-testid="job-error">
          {job.error}
        </Text>
      )}
    </Stack>
  );
}
