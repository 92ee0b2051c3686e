/** The first page: every case in the data folder, and the button that opens a new one. */
import { Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useRequest } from '../api/context.tsx';
import { CreateCaseModal } from '../components/CreateCaseModal.tsx';
import { RequestView } from '../components/RequestView.tsx';
import { formatTime } from '../format.ts';
import { RouteLink, navigate } from '../router.tsx';

/** `newCase`: open with the new-case dialog (the #/new-case route). */
export function CasesPage({ newCase = false }: { newCase?: boolean }) {
  const cases = useRequest('cases.list');
  const [clicked, setClicked] = useState(false);
  const creating = clicked || newCase;
  const setCreating = (open: boolean) => {
    setClicked(open);
    if (!open && newCase) navigate({ page: 'cases' });
  };
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Cases</Title>
        <Button onClick={() => setCreating(true)} data-testid="case-new">
          New case
        </Button>
      </Group>
      <RequestView state={cases} label="cases">
        {({ cases: list, dataDir }) => (
          <Card withBorder padding="lg">
            <Text size="sm" c="dimmed" mb="sm">
              Data folder: <span data-testid="data-dir">{dataDir}</span>
            </Text>
            {list.length === 0 ? (
              <Text c="dimmed" data-testid="cases-empty">
                No cases yet. A case keeps the exhibits, every query sent to a suspect, the verdicts and an audit chain.
              </Text>
            ) : (
              <Table highlightOnHover data-testid="cases-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Case</Table.Th>
                    <Table.Th>Parties</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th ta="right">Runs</Table.Th>
                    <Table.Th ta="right">Verdicts</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((c) => (
                    <Table.Tr key={c.id} data-testid="case-row">
                      <Table.Td>
                        <RouteLink to={{ page: 'case', caseId: c.id, tab: 'exhibits' }} testId={`case-link-${c.id}`}>
                          {c.name}
                        </RouteLink>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{[c.parties.owner, c.parties.suspect].filter(Boolean).join(' v. ') || '–'}</Text>
                      </Table.Td>
                      <Table.Td>{formatTime(c.createdAt)}</Table.Td>
                      <Table.Td ta="right">{c.runs}</Table.Td>
                      <Table.Td ta="right">{c.verdicts}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
        )}
      </RequestView>
      <CreateCaseModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setClicked(false);
          navigate({ page: 'case', caseId: c.id, tab: 'exhibits' });
        }}
      />
    </Stack>
  );
}
