/**
 * The case's exhibits (files and folders hashed at intake) and remote endpoints. A model file, an
 * ONNX file or a dataset is added by its path on the machine main runs on; an endpoint by its
 * address, protocol and answer mode, after an optional connection test.
 */
import { Badge, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { EXHIBIT_ROLES_IN } from '../../../../shared/workbench-contract.ts';
import { useClient } from '../../api/context.tsx';
import { useAction } from '../../api/use-action.ts';
import { formatBytes, formatTime, shortHash, shortPath } from '../../format.ts';
import type { CaseTabProps } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';
import { EndpointCard } from './EndpointCard.tsx';

const ROLE_LABEL: Record<(typeof EXHIBIT_ROLES_IN)[number], string> = {
  source: 'Source model (ours)',
  'suspect-file': 'Suspect model file (model folder or .onnx)',
  dataset: 'Dataset',
  'trigger-set': 'Trigger set',
  bundle: 'Evidence bundle',
};

export function ExhibitsTab({ data, reload }: CaseTabProps) {
  return (
    <Stack gap="lg">
      <Card withBorder padding="lg">
        <Title order={3} mb="sm">
          Exhibits
        </Title>
        {data.exhibits.length === 0 ? (
          <Text c="dimmed">No exhibits yet.</Text>
        ) : (
          <Table data-testid="exhibits-table" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={50}>#</Table.Th>
                <Table.Th w={130}>Role</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th w={90}>Size</Table.Th>
                <Table.Th w={140}>sha256</Table.Th>
                <Table.Th w={160}>Acquired</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.exhibits.map((x) => (
                <Table.Tr key={x.id} data-testid="exhibit-row" data-role={x.role} data-path={x.path}>
                  <Table.Td>{x.id}</Table.Td>
                  <Table.Td>
                    <Badge variant="outline" size="sm">
                      {x.role}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={x.path} openDelay={300}>
                      <Text size="sm" truncate>
                        {shortPath(x.path)} {x.kind === 'directory' ? '(folder)' : ''}
                      </Text>
                    </Tooltip>
                    {x.notes && (
                      <Text size="xs" c="dimmed">
                        {x.notes}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatBytes(x.size)}</Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="xs" title={x.sha256}>
                      {shortHash(x.sha256)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatTime(x.acquiredAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <AddExhibitCard caseId={data.case.id} onAdded={reload} />
        <EndpointCard caseId={data.case.id} endpoints={data.endpoints} onAdded={reload} />
      </SimpleGrid>
    </Stack>
  );
}

function AddExhibitCard({ caseId, onAdded }: { caseId: string; onAdded: () => void }) {
  const { client } = useClient();
  const [role, setRole] = useState<(typeof EXHIBIT_ROLES_IN)[number]>('suspect-file');
  const [path, setPath] = useState('');
  const [notes, setNotes] = useState('');
  const add = useAction(() => client.invoke('exhibits.add', { caseId, role, path: path.trim(), ...(notes.trim() ? { notes: notes.trim() } : {}) }));
  return (
    <Card withBorder padding="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add.run().then((x) => {
            if (!x) return;
            setPath('');
            setNotes('');
            onAdded();
          });
        }}
      >
        <Stack gap="sm">
          <Title order={3}>Add a file or folder</Title>
          <Text size="sm" c="dimmed">
            A model folder, an ONNX file, a dataset folder, a trigger set or a bundle, by its path on this machine. It is hashed now; any later
            change shows in the integrity check.
          </Text>
          <Select
            label="What it is"
            data={EXHIBIT_ROLES_IN.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
            value={role}
            onChange={(v) => v && setRole(v as typeof role)}
            allowDeselect={false}
            error={add.issue('role')}
            data-testid="exhibit-role"
          />
          <TextInput label="Path" placeholder="/evidence/suspect-model.onnx" value={path} onChange={(e) => setPath(e.currentTarget.value)} error={add.issue('path')} data-testid="exhibit-path" />
          <TextInput label="Notes" description="Where it came from, who handed it over" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} error={add.issue('notes')} data-testid="exhibit-notes" />
          <FormError message={add.rest(['role', 'path', 'notes'])} />
          <Group justify="flex-end">
            <Button type="submit" loading={add.pending} data-testid="exhibit-add">
              Add exhibit
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
