/** The case's remote endpoints, and the form that tests and adds one. */
import { Alert, Button, Card, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { OutputOf } from '../../../../shared/contract.ts';
import { useClient } from '../../api/context.tsx';
import { useAction } from '../../api/use-action.ts';
import { formatTime } from '../../format.ts';
import { EMPTY_ENDPOINT, ENDPOINT_FIELD_PATHS, EndpointFields, endpointSpec, type EndpointForm } from '../forms/EndpointFields.tsx';
import { FormError } from '../forms/FormError.tsx';

type Endpoint = OutputOf<'cases.get'>['endpoints'][number];

export function EndpointCard({ caseId, endpoints, onAdded }: { caseId: string; endpoints: Endpoint[]; onAdded: () => void }) {
  const { client } = useClient();
  const [form, setForm] = useState<EndpointForm>(EMPTY_ENDPOINT);
  const [shape, setShape] = useState({ h: 28, w: 28, c: 1, classes: 10 });
  const test = useAction(() =>
    client.invoke('endpoints.test', { endpoint: endpointSpec(form), inputShape: [shape.h, shape.w, shape.c], numClasses: shape.classes }),
  );
  const [tested, setTested] = useState<OutputOf<'endpoints.test'> | null>(null);
  const add = useAction(() => client.invoke('endpoints.add', { caseId, endpoint: endpointSpec(form) }));
  // Both actions send the same endpoint: show whichever failed last next to its field.
  const issue = (p: string) => add.issue(`endpoint.${p}`) ?? test.issue(`endpoint.${p}`);
  const fieldPaths = ENDPOINT_FIELD_PATHS.map((p) => `endpoint.${p}`);
  const num = (k: keyof typeof shape) => (v: number | string) => setShape({ ...shape, [k]: typeof v === 'number' ? v : 0 });
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3}>Remote endpoints</Title>
        {endpoints.length > 0 && (
          <Table data-testid="endpoints-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Address (redacted)</Table.Th>
                <Table.Th>Protocol</Table.Th>
                <Table.Th>Answers</Table.Th>
                <Table.Th>Added</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {endpoints.map((e) => (
                <Table.Tr key={e.id} data-testid="endpoint-row">
                  <Table.Td>
                    <Text size="sm" style={{ wordBreak: 'break-all' }}>
                      {e.url}
                    </Text>
                  </Table.Td>
                  <Table.Td>{e.protocol}</Table.Td>
                  <Table.Td>{e.mode}</Table.Td>
                  <Table.Td>{formatTime(e.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <EndpointFields value={form} onChange={(f) => {
            setForm(f);
            setTested(null);
          }} issue={issue} />
        <Group grow>
          <NumberInput label="Input height" value={shape.h} onChange={num('h')} min={1} error={test.issue('inputShape[0]')} />
          <NumberInput label="Input width" value={shape.w} onChange={num('w')} min={1} error={test.issue('inputShape[1]')} />
          <NumberInput label="Channels" value={shape.c} onChange={num('c')} min={1} error={test.issue('inputShape[2]')} />
          <NumberInput label="Classes" value={shape.classes} onChange={num('classes')} min={2} error={test.issue('numClasses')} />
        </Group>
        {tested && (
          <Alert color={tested.ok ? 'teal' : 'red'} variant="light" data-testid="endpoint-test-result" title={tested.ok ? 'Connection works' : 'Connection failed'}>
            {tested.message}
            {tested.latencyMs !== undefined && <Text size="sm">Latency: {Math.round(tested.latencyMs)} ms</Text>}
            {tested.label !== undefined && <Text size="sm">First answer: label {tested.label}</Text>}
          </Alert>
        )}
        <FormError message={test.rest([...fieldPaths, 'inputShape', 'numClasses']) ?? add.rest(fieldPaths)} />
        <Group justify="flex-end">
          <Button variant="default" loading={test.pending} data-testid="endpoint-test" onClick={() => void test.run().then((r) => r && setTested(r))}>
            Test connection
          </Button>
          <Button
            loading={add.pending}
            data-testid="endpoint-add"
            onClick={() =>
              void add.run().then((r) => {
                if (!r) return;
                setForm(EMPTY_ENDPOINT);
                setTested(null);
                onAdded();
              })
            }
          >
            Add endpoint
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
