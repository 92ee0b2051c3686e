/** The datasets main knows about. */
import { Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import type { Dataset } from '../../../shared/contract.ts';

export function DatasetsCard({ datasets }: { datasets: Dataset[] }) {
  return (
    <Card withBorder padding="lg" radius="md" data-testid="datasets-card">
      <Stack gap="sm">
        <Title order={3}>Datasets</Title>
        {datasets.length === 0 ? (
          <Text c="dimmed">No datasets.</Text>
        ) : (
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th w={110}>Kind</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {datasets.map((d) => (
                <Table.Tr key={d.id} data-testid={`dataset-${d.id}`}>
                  <Table.Td fw={500}>{d.name}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{d.description}</Text>
                    {!d.available && (
                      <Text size="xs" c="orange" data-testid={`dataset-${d.id}-hint`}>
                        Not available here{d.hint ? `: ${d.hint}` : ''}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="outline" color={d.kind === 'builtin' ? 'blue' : 'grape'}>
                      {d.kind}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
