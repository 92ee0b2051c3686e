/** Every trigger of the run: its image, the source's label, and whether the suspect answered the same. */
import { Badge, Group, Image, ScrollArea, Table, Text } from '@mantine/core';
import type { OutputOf } from '../../../../shared/contract.ts';

type Trigger = OutputOf<'runs.get'>['triggers'][number];

export function TriggerTable({ triggers }: { triggers: Trigger[] }) {
  const matched = triggers.filter((t) => t.matched === true).length;
  const known = triggers.filter((t) => t.matched !== undefined).length;
  return (
    <>
      <Group gap="sm" mb="xs">
        <Text size="sm" data-testid="trigger-match-summary">
          {known ? `${matched} of ${known} triggers answered with the source's label` : `${triggers.length} triggers`}
        </Text>
      </Group>
      <ScrollArea.Autosize mah={420}>
        <Table stickyHeader data-testid="trigger-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={60}>#</Table.Th>
              <Table.Th w={80}>Image</Table.Th>
              <Table.Th>Source label</Table.Th>
              <Table.Th>Suspect</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {triggers.map((t) => (
              <Table.Tr key={t.index} data-testid="trigger-row" data-matched={t.matched === undefined ? 'unknown' : String(t.matched)}>
                <Table.Td>{t.index}</Table.Td>
                <Table.Td>
                  <Image src={t.png} alt={`trigger ${t.index}, labelled ${t.label}`} w={40} h={40} fit="contain" style={{ imageRendering: 'pixelated' }} />
                </Table.Td>
                <Table.Td>{t.label}</Table.Td>
                <Table.Td>
                  {t.matched === undefined ? (
                    <Text size="sm" c="dimmed">
                      not queried
                    </Text>
                  ) : (
                    <Badge color={t.matched ? 'red' : 'gray'} variant="light">
                      {t.matched ? 'same label' : 'different'}
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </>
  );
}
