/** The header's jobs indicator and the drawer listing every job of this session with its progress. */
import { Badge, Button, Drawer, Loader, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useJobs } from '../../api/jobs.tsx';
import { RouteLink } from '../../router.tsx';
import { JobProgress } from './JobProgress.tsx';

export function JobsIndicator() {
  const { jobs } = useJobs();
  const [open, setOpen] = useState(false);
  const running = jobs.filter((j) => j.status === 'running').length;
  return (
    <>
      <Button
        variant={running ? 'light' : 'subtle'}
        leftSection={running ? <Loader size={14} /> : undefined}
        rightSection={jobs.length ? <Badge size="sm" variant="filled" data-testid="jobs-running-count">{running}</Badge> : undefined}
        onClick={() => setOpen(true)}
        data-testid="jobs-open"
        aria-label={`Jobs: ${running} running`}
      >
        Jobs
      </Button>
      <Drawer opened={open} onClose={() => setOpen(false)} position="right" title="Jobs" size="md" data-testid="jobs-drawer">
        <Stack gap="sm">
          {jobs.length === 0 && <Text c="dimmed">No jobs yet. Training, suites, generation, verification, reports and bundles run here.</Text>}
          {jobs.map((job) => (
            <Paper key={job.jobId} withBorder p="sm">
              <JobProgress job={job} />
              {job.caseId && (
                <Text size="xs" mt={4}>
                  <RouteLink to={{ page: 'case', caseId: job.caseId, tab: 'exhibits' }}>open case</RouteLink>
                </Text>
              )}
            </Paper>
          ))}
        </Stack>
      </Drawer>
    </>
  );
}
