/** Settings: the compute backend in use, the data folder, the API keys, and the datasets main knows. */
import { Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useClient, useRequest } from '../api/context.tsx';
import { useAction } from '../api/use-action.ts';
import { ApiKeysCard } from '../components/ApiKeysCard.tsx';
import { DatasetsCard } from '../components/DatasetsCard.tsx';
import { EngineCard } from '../components/EngineCard.tsx';
import { FormError } from '../components/forms/FormError.tsx';
import { RequestView } from '../components/RequestView.tsx';

export function SettingsPage() {
  const info = useRequest('app.info');
  const datasets = useRequest('datasets.list');
  const settings = useRequest('settings.get');
  return (
    <Stack gap="lg">
      <Title order={2}>Settings</Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Stack gap="lg">
          <RequestView state={info} label="engine info">
            {(data) => <EngineCard engine={data.engine} appVersion={data.version} />}
          </RequestView>
          <RequestView state={datasets} label="datasets">
            {(data) => <DatasetsCard datasets={data.datasets} />}
          </RequestView>
        </Stack>
        <RequestView state={settings} label="settings">
          {(data) => (
            <Stack gap="lg">
              <DataDirCard dataDir={data.dataDir} onChanged={settings.reload} />
              <ApiKeysCard names={data.apiKeys} secretStore={data.secretStore} />
            </Stack>
          )}
        </RequestView>
      </SimpleGrid>
    </Stack>
  );
}

function DataDirCard({ dataDir, onChanged }: { dataDir: string; onChanged: () => void }) {
  const { client } = useClient();
  const [draft, setDraft] = useState(dataDir);
  const save = useAction(() => client.invoke('settings.setDataDir', { dataDir: draft.trim() }));
  return (
    <Card withBorder padding="lg" data-testid="data-dir-card">
      <Stack gap="sm">
        <Title order={3}>Data folder</Title>
        <Text size="sm" c="dimmed">
          Where cases, models and suites are kept. In use: <code data-testid="settings-data-dir">{dataDir}</code>
        </Text>
        <TextInput label="Change to" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} error={save.issue('dataDir')} data-testid="data-dir-input" />
        <FormError message={save.rest(['dataDir'])} />
        <Group justify="flex-end">
          <Button variant="light" disabled={draft.trim() === dataDir} loading={save.pending} onClick={() => void save.run().then((r) => r && onChanged())} data-testid="data-dir-save">
            Use this folder
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
