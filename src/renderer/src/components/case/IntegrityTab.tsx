/**
 * The case's integrity check (cases.check): the audit chain is walked and every row and exhibit
 * file compared with what the chain recorded. INTACT, or ALTERED with each problem named.
 */
import { Badge, Button, Card, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { OutputOf } from '../../../../shared/contract.ts';
import { useClient } from '../../api/context.tsx';
import { useAction } from '../../api/use-action.ts';
import type { CaseTabProps } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';

export function IntegrityTab({ data }: CaseTabProps) {
  const { client } = useClient();
  const caseId = data.case.id;
  const check = useAction(() => client.invoke('cases.check', { caseId }));
  // A failed re-check keeps showing the previous answer (and says why it failed above it).
  const [result, setResult] = useState<OutputOf<'cases.check'> | null>(null);
  const { run } = check;
  const refresh = useCallback(() => run().then((r) => r && setResult(r)), [run]);
  useEffect(() => {
    void refresh();
  }, [caseId, refresh]);
  return (
    <Card withBorder padding="lg" maw={880}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={3}>Integrity</Title>
            {result && (
              <Badge size="xl" color={result.ok ? 'teal' : 'red'} data-testid="integrity-badge">
                {result.ok ? 'INTACT' : 'ALTERED'}
              </Badge>
            )}
          </Group>
          <Button variant="light" onClick={() => void refresh()} loading={check.pending} data-testid="integrity-check">
            Check again
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          Every change to the case is an entry of a hash chain. The check walks the chain and compares each recorded row and exhibit file with it:
          an edited, deleted or unrecorded row, or a changed, missing or added file, is named below.
        </Text>
        <FormError message={check.rest([])} />
        {result && (
          <>
            <Table variant="vertical" layout="fixed" data-testid="integrity-summary">
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th w={200}>Chain entries</Table.Th>
                  <Table.Td>{result.chainEntries}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Chain head</Table.Th>
                  <Table.Td data-testid="integrity-head">
                    {result.head ? (
                      <Text ff="monospace" size="xs" style={{ wordBreak: 'break-all' }}>
                        #{result.head.seq} {result.head.hash}
                      </Text>
                    ) : (
                      'empty'
                    )}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Rows checked</Table.Th>
                  <Table.Td>{result.rowsChecked}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Exhibit files checked</Table.Th>
                  <Table.Td>{result.exhibitsChecked}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            {result.problems.length > 0 ? (
              <List data-testid="integrity-problems" c="red" size="sm">
                {result.problems.map((p) => (
                  <List.Item key={p}>{p}</List.Item>
                ))}
              </List>
            ) : (
              <Text size="sm">No problems found.</Text>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}
