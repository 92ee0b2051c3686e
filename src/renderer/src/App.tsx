import { AppShell, Badge, Group, MantineProvider, Text, Title, createTheme } from '@mantine/core';
import { ClientProvider, useClient } from './api/context.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md' });

function Shell() {
  const { transport } = useClient();
  return (
    <AppShell header={{ height: 60 }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="lg" justify="space-between">
          <Group gap="sm" align="baseline">
            <Title order={1} size="h2" data-testid="app-title">
              Provenant
            </Title>
            <Text size="sm" c="dimmed">
              neural-network ownership workbench
            </Text>
          </Group>
          <Badge variant="dot" color={transport === 'electron' ? 'teal' : 'gray'} data-testid="transport">
            {transport === 'electron' ? 'desktop' : 'browser · localhost bridge'}
          </Badge>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <OverviewPage />
      </AppShell.Main>
    </AppShell>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <ClientProvider>
        <Shell />
      </ClientProvider>
    </MantineProvider>
  );
}
