/** The compute engine as main reports it: backend, versions, wasm details, skipped backends. */
import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { EngineInfoDto } from '../../../shared/contract.ts';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={160}>{label}</Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

export function EngineCard({ engine, appVersion }: { engine: EngineInfoDto; appVersion: string }) {
  return (
    <Card withBorder padding="lg" radius="md" data-testid="engine-card">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>Engine</Title>
          <Badge size="lg" variant="light" data-testid="engine-backend">
            {engine.backend}
          </Badge>
        </Group>
        <Table variant="vertical" withTableBorder layout="fixed">
          <Table.Tbody>
            <Row label="App version">{appVersion}</Row>
            <Row label="tfjs backend">{engine.tfjsBackend}</Row>
            <Row label="Requested">{engine.requested}</Row>
            {Object.entries(engine.versions).map(([pkg, v]) => (
              <Row key={pkg} label={pkg}>
                {v}
              </Row>
            ))}
            {engine.wasm && (
              <Row label="WebAssembly">
                SIMD {engine.wasm.simd ? 'on' : 'off'}, {engine.wasm.threads} thread{engine.wasm.threads === 1 ? '' : 's'}
                {engine.wasm.ourKernels.length > 0 && `, our kernels: ${engine.wasm.ourKernels.join(', ')}`}
              </Row>
            )}
            <Row label="Runtime">
              Node {engine.node} on {engine.platform}
            </Row>
          </Table.Tbody>
        </Table>
        {engine.skipped.length > 0 && (
          <Stack gap={2}>
            <Text size="sm" fw={500}>
              Backends not used
            </Text>
            {engine.skipped.map((s) => (
              <Text key={s.backend} size="xs" c="dimmed">
                {s.backend}: {s.reason}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
