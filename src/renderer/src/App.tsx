import { AppShell, Badge, Group, MantineProvider, NavLink, Text, Title, createTheme } from '@mantine/core';
import { ClientProvider, useClient } from './api/context.tsx';
import { JobsProvider } from './api/jobs.tsx';
import { JobsIndicator } from './components/jobs/JobsDrawer.tsx';
import { CasePage } from './pages/CasePage.tsx';
import { CasesPage } from './pages/CasesPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { routeHref, useRoute, type Route } from './router.tsx';

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md' });

function Page({ route }: { route: Route }) {
  if (route.page === 'settings') return <SettingsPage />;
  if (route.page === 'case') return <CasePage key={route.caseId} caseId={route.caseId} tab={route.tab} runId={route.runId} />;
  return <CasesPage newCase={route.newCase === true} />;
}

function Shell() {
  const { transport } = useClient();
  const route = useRoute();
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 200, breakpoint: 'sm' }} padding="lg">
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
          <Group gap="sm">
            <JobsIndicator />
            <Badge variant="dot" color={transport === 'electron' ? 'teal' : 'gray'} data-testid="transport">
              {transport === 'electron' ? 'desktop' : 'browser · localhost bridge'}
            </Badge>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <NavLink href={routeHref({ page: 'cases' })} label="Cases" active={route.page !== 'settings'} data-testid="nav-cases" />
        <NavLink href={routeHref({ page: 'settings' })} label="Settings" active={route.page === 'settings'} data-testid="nav-settings" />
      </AppShell.Navbar>
      <AppShell.Main>
        <Page route={route} />
      </AppShell.Main>
    </AppShell>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <ClientProvider>
        <JobsProvider>
          <Shell />
        </JobsProvider>
      </ClientProvider>
    </MantineProvider>
  );
}
