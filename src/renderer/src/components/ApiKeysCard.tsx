/**
 * Stored API keys, by name only. A value is typed once, sent to main to be kept (Electron's
 * safeStorage; in memory for the browser bridge) and cleared from the form: no channel returns it.
 */
import { ActionIcon, Badge, Button, Card, Group, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useClient } from '../api/context.tsx';
import { useAction } from '../api/use-action.ts';
import { FormError } from './forms/FormError.tsx';

export function ApiKeysCard({ names: initial, secretStore }: { names: string[]; secretStore: 'safeStorage' | 'memory' }) {
  const { client } = useClient();
  const [names, setNames] = useState(initial);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const save = useAction(() => client.invoke('apiKeys.set', { name, value }));
  const remove = useAction((n: string) => client.invoke('apiKeys.delete', { name: n }));
  return (
    <Card withBorder padding="lg" data-testid="api-keys-card">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>API keys</Title>
          <Badge variant="light" color={secretStore === 'safeStorage' ? 'teal' : 'orange'} data-testid="secret-store">
            {secretStore === 'safeStorage' ? 'encrypted by the OS' : 'in memory only'}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          Keys for the prediction APIs of suspects. Endpoints name a key; its value is sent only to that API and is never shown again.
          {secretStore === 'memory' ? ' Here they are kept in memory until the bridge stops.' : ' They are kept with Electron’s safeStorage.'}
        </Text>
        {names.length === 0 ? (
          <Text size="sm" c="dimmed">
            No keys stored.
          </Text>
        ) : (
          <Table data-testid="api-keys-table">
            <Table.Tbody>
              {names.map((n) => (
                <Table.Tr key={n} data-testid="api-key-row" data-name={n}>
                  <Table.Td ff="monospace">{n}</Table.Td>
                  <Table.Td ta="right">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Delete key ${n}`}
                      data-testid={`api-key-delete-${n}`}
                      loading={remove.pending}
                      onClick={() => void remove.run(n).then((r) => r && setNames(r.names))}
                    >
                      ×
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save.run().then((r) => {
              // The value is cleared whether or not it was saved: it must not linger in the page.
              setValue('');
              if (!r) return;
              setNames(r.names);
              setName('');
            });
          }}
        >
          <Stack gap="sm">
            <Group grow align="flex-start">
              <TextInput label="Name" placeholder="suspect-api" value={name} onChange={(e) => setName(e.currentTarget.value)} error={save.issue('name')} data-testid="api-key-name" />
              <PasswordInput
                label="Value"
                description="Stored, never shown again"
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                error={save.issue('value')}
                autoComplete="off"
                visibilityToggleButtonProps={{ style: { display: 'none' } }}
                data-testid="api-key-value"
              />
            </Group>
            <FormError message={save.rest(['name', 'value']) ?? remove.rest([])} />
            <Group justify="flex-end">
              <Button type="submit" loading={save.pending} data-testid="api-key-save">
                Save key
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}
