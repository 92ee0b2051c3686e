/**
 * One case: its header (name, parties, description) and a tab per part of the work. The case's data
 * (cases.get) is loaded here once and handed to the tabs; it is reloaded when any job of this case
 * ends and after each change a tab makes, so every tab shows the case as it now is.
 */
import { Anchor, Badge, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import type { OutputOf } from '../../../shared/contract.ts';
import { useRequest } from '../api/context.tsx';
import { useJobEnd } from '../api/jobs.tsx';
import { ExhibitsTab } from '../components/case/ExhibitsTab.tsx';
import { IntegrityTab } from '../components/case/IntegrityTab.tsx';
import { ModelsTab } from '../components/case/ModelsTab.tsx';
import { NotesTab } from '../components/case/NotesTab.tsx';
import { ResultsTab } from '../components/case/ResultsTab.tsx';
import { TriggerSetsTab } from '../components/case/TriggerSetsTab.tsx';
import { VerifyTab } from '../components/case/VerifyTab.tsx';
import { RequestView } from '../components/RequestView.tsx';
import { navigate, routeHref } from '../router.tsx';

export type CaseData = OutputOf<'cases.get'>;
export interface CaseTabProps {
  data: CaseData;
  reload: () => void;
}

const TABS = [
  { value: 'exhibits', label: 'Exhibits' },
  { value: 'models', label: 'Models & suites' },
  { value: 'triggers', label: 'Trigger sets' },
  { value: 'verify', label: 'Verification' },
  { value: 'results', label: 'Results' },
  { value: 'integrity', label: 'Integrity' },
  { value: 'notes', label: 'Notes' },
] as const;

export function CasePage({ caseId, tab, runId }: { caseId: string; tab: string; runId?: number }) {
  const state = useRequest('cases.get', { caseId });
  useJobEnd(caseId, state.reload);
  const active = TABS.some((t) => t.value === tab) ? tab : 'exhibits';
  return (
    <Stack gap="md">
      <Anchor href={routeHref({ page: 'cases' })} size="sm" data-testid="back-to-cases">
        ← All cases
      </Anchor>
      <RequestView state={state} label="the case">
        {(data) => (
          <Stack gap="md">
            <Stack gap={2}>
              <Group gap="sm">
                <Title order={2} data-testid="case-title">
                  {data.case.name}
                </Title>
                <Badge variant="light" data-testid="case-counts">
                  {data.case.runs} run{data.case.runs === 1 ? '' : 's'} · {data.case.verdicts} verdict{data.case.verdicts === 1 ? '' : 's'}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed">
                {[
                  data.case.parties.investigator && `Investigator: ${data.case.parties.investigator}`,
                  data.case.parties.owner && `Owner: ${data.case.parties.owner}`,
                  data.case.parties.suspect && `Suspected: ${data.case.parties.suspect}`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
              {data.case.description && <Text size="sm">{data.case.description}</Text>}
              <Text size="xs" c="dimmed" data-testid="case-dir">
                {data.case.dir}
              </Text>
            </Stack>
            <Tabs value={active} onChange={(v) => v && navigate({ page: 'case', caseId, tab: v })} keepMounted={false}>
              <Tabs.List>
                {TABS.map((t) => (
                  <Tabs.Tab key={t.value} value={t.value} data-testid={`tab-${t.value}`}>
                    {t.label}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              <Tabs.Panel value="exhibits" pt="md">
                <ExhibitsTab data={data} reload={state.reload} />
              </Tabs.Panel>
              <Tabs.Panel value="models" pt="md">
                <ModelsTab data={data} reload={state.reload} />
              </Tabs.Panel>
              <Tabs.Panel value="triggers" pt="md">
                <TriggerSetsTab data={data} reload={state.reload} />
              </Tabs.Panel>
              <Tabs.Panel value="verify" pt="md">
                <VerifyTab data={data} reload={state.reload} />
              </Tabs.Panel>
              <Tabs.Panel value="results" pt="md">
                <ResultsTab data={data} reload={state.reload} runId={runId} />
              </Tabs.Panel>
              <Tabs.Panel value="integrity" pt="md">
                <IntegrityTab data={data} reload={state.reload} />
              </Tabs.Panel>
              <Tabs.Panel value="notes" pt="md">
                <NotesTab data={data} reload={state.reload} />
              </Tabs.Panel>
            </Tabs>
          </Stack>
        )}
      </RequestView>
    </Stack>
  );
}
