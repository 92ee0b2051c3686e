/** The case's trigger sets (method, seed, hash, where the files are) and the generation wizard. */
import { Card, Code, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { shortHash, shortPath } from '../../format.ts';
import type { CaseData, CaseTabProps } from '../../pages/CasePage.tsx';
import { GenerateWizard } from './GenerateWizard.tsx';

/** A trigger set with the path of its exhibit (the folder verification reads). */
export function triggerSetsWithPaths(data: CaseData) {
  return data.triggerSets.map((t) => ({ ...t, path: data.exhibits.find((x) => x.id === t.exhibitId)?.path }));
}

export function TriggerSetsTab({ data }: CaseTabProps) {
  const sets = triggerSetsWithPaths(data);
  return (
    <Stack gap="lg">
      <Card withBorder padding="lg">
        <Title order={3} mb="sm">
          Trigger sets
        </Title>
        {sets.length === 0 ? (
          <Text c="dimmed">None yet: generate one below, or add a trigger-set folder as an exhibit.</Text>
        ) : (
          <Table data-testid="trigger-sets-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th>Seed</Table.Th>
                <Table.Th>Folder</Table.Th>
                <Table.Th>sha256</Table.Th>
                <Table.Th>Parameters</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sets.map((t) => (
                <Table.Tr key={t.id} data-testid="trigger-set-row" data-method={t.method} data-path={t.path}>
                  <Table.Td>{t.id}</Table.Td>
                  <Table.Td fw={500}>{t.method}</Table.Td>
                  <Table.Td>{t.seed}</Table.Td>
                  <Table.Td>
                    <Tooltip label={t.path ?? '?'} openDelay={300}>
                      <Text size="sm">{t.path ? shortPath(t.path) : '–'}</Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="xs" title={t.sha256}>
                      {shortHash(t.sha256)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} fz="xs">
                      {JSON.stringify(t.params)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <GenerateWizard data={data} />
    </Stack>
  );
}
