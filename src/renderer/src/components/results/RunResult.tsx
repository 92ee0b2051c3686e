/**
 * One run's result (runs.get): the verdict in plain words, the suspect's score against the innocent
 * null, the ROC of the trigger set when its calibration suite has pirated models, the per-trigger
 * table, the query summary, and the evidence actions (PDF report, signed bundle, replay).
 */
import { Badge, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useRequest } from '../../api/context.tsx';
import { useJobEnd } from '../../api/jobs.tsx';
import { formatTime } from '../../format.ts';
import type { CaseData } from '../../pages/CasePage.tsx';
import { NullScoreChart } from '../charts/NullScoreChart.tsx';
import { RocChart } from '../charts/RocChart.tsx';
import { RequestView } from '../RequestView.tsx';
import { EvidenceActions } from './EvidenceActions.tsx';
import { TriggerTable } from './TriggerTable.tsx';
import { VerdictPanel } from './VerdictPanel.tsx';

export function RunResult({ data, runId }: { data: CaseData; runId: number }) {
  const caseId = data.case.id;
  const state = useRequest('runs.get', { caseId, runId });
  // A report or bundle made for this run shows up once its job ends.
  useJobEnd(caseId, state.reload);
  return (
    <RequestView state={state} label={`run ${runId}`}>
      {(r) => (
        <Stack gap="lg" data-testid="run-result" data-run-id={r.run.id}>
          <Group gap="sm">
            <Title order={3}>
              Run {r.run.id}: {r.run.kind} with {r.run.method}
            </Title>
            <Badge variant="light" data-testid="run-status">
              {r.run.status}
            </Badge>
            <Text size="sm" c="dimmed">
              {formatTime(r.run.startedAt)}
              {r.run.finishedAt ? ` – ${formatTime(r.run.finishedAt)}` : ''}
            </Text>
          </Group>
          {r.run.error && (
            <Text c="red" size="sm">
              {r.run.error}
            </Text>
          )}
          {r.run.verdict && <VerdictPanel verdict={r.run.verdict} />}
          <EvidenceActions data={data} result={r} />
          {r.run.verdict && r.nullScores.length > 0 && (
            <Card withBorder padding="lg">
              <Title order={4} mb="xs">
                Score against the innocent null
              </Title>
              <NullScoreChart nullScores={r.nullScores} score={r.run.verdict.score} />
            </Card>
          )}
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
            <Card withBorder padding="lg">
              <Title order={4} mb="xs">
                Queries
              </Title>
              <QuerySummary queries={r.queries} />
            </Card>
            {r.roc && (
              <Card withBorder padding="lg">
                <Title order={4} mb="xs">
                  How well this trigger set separates pirated from innocent models
                </Title>
                <RocChart points={r.roc.points} auc={r.roc.auc} />
              </Card>
            )}
          </SimpleGrid>
          {r.triggers.length > 0 && (
            <Card withBorder padding="lg">
              <Title order={4} mb="xs">
                Triggers
              </Title>
              <TriggerTable triggers={r.triggers} />
            </Card>
          )}
          <Card withBorder padding="lg">
            <Title order={4} mb="xs">
              Parameters
            </Title>
            <Code block fz="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {JSON.stringify(r.run.params, null, 2)}
            </Code>
          </Card>
        </Stack>
      )}
    </RequestView>
  );
}

function QuerySummary({ queries }: { queries: { needed?: number; sent: number; reused: number; retries: number; byOutcome: Record<string, number> } }) {
  return (
    <Table variant="vertical" layout="fixed" data-testid="query-summary">
      <Table.Tbody>
        <Table.Tr>
          <Table.Th w={200}>Queries sent</Table.Th>
          <Table.Td data-testid="queries-sent">
            {queries.sent}
            {queries.needed !== undefined ? ` of ${queries.needed} needed` : ''}
          </Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Reused from the record</Table.Th>
          <Table.Td>{queries.reused}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Retries</Table.Th>
          <Table.Td>{queries.retries}</Table.Td>
        </Table.Tr>
        {Object.entries(queries.byOutcome).map(([outcome, n]) => (
          <Table.Tr key={outcome}>
            <Table.Th>{outcome}</Table.Th>
            <Table.Td>{n}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
