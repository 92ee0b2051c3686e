/** The case's runs, newest first, and the result of the one chosen (#/cases/<id>/results/<run>). */
import { Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import { formatProbability, formatTime } from '../../format.ts';
import type { CaseTabProps } from '../../pages/CasePage.tsx';
import { RouteLink, navigate } from '../../router.tsx';
import { RunResult } from '../results/RunResult.tsx';
import { falseAccusation } from '../results/VerdictPanel.tsx';

const DECISION_COLOR = { derived: 'red', 'not-derived': 'teal', 'insufficient-null': 'orange' } as const;

export function ResultsTab({ data, runId }: CaseTabProps & { runId?: number }) {
  const runs = [...data.runs].reverse();
  const chosen = runId ?? runs.find((r) => r.verdict)?.id;
  return (
    <Stack gap="lg">
      <Card withBorder padding="lg">
        <Title order={3} mb="sm">
          Runs
        </Title>
        {runs.length === 0 ? (
          <Text c="dimmed">No runs yet.</Text>
        ) : (
          <Table highlightOnHover data-testid="runs-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Verdict</Table.Th>
                <Table.Th>False-accusation p</Table.Th>
                <Table.Th>Queries</Table.Th>
                <Table.Th>Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.map((r) => (
                <Table.Tr
                  key={r.id}
                  onClick={() => navigate({ page: 'case', caseId: data.case.id, tab: 'results', runId: r.id })}
                  style={{ cursor: 'pointer' }}
                  bg={r.id === chosen ? 'var(--mantine-color-blue-light)' : undefined}
                  data-testid="run-row"
                  data-run-id={r.id}
                  data-kind={r.kind}
                  data-decision={r.verdict?.decision ?? ''}
                  aria-selected={r.id === chosen}
                >
                  <Table.Td>
                    <RouteLink to={{ page: 'case', caseId: data.case.id, tab: 'results', runId: r.id }}>{r.id}</RouteLink>
                  </Table.Td>
                  <Table.Td>{r.kind}</Table.Td>
                  <Table.Td>{r.method}</Table.Td>
                  <Table.Td>{r.status}</Table.Td>
                  <Table.Td>
                    {r.verdict ? (
                      <Badge color={DECISION_COLOR[r.verdict.decision]} variant="light">
                        {r.verdict.decision}
                      </Badge>
                    ) : (
                      '–'
                    )}
                  </Table.Td>
                  <Table.Td>{r.verdict ? formatProbability(falseAccusation(r.verdict)) : '–'}</Table.Td>
                  <Table.Td>{r.queries.inputsAnswered}</Table.Td>
                  <Table.Td>{formatTime(r.startedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      {chosen !== undefined && <RunResult key={chosen} data={data} runId={chosen} />}
    </Stack>
  );
}
