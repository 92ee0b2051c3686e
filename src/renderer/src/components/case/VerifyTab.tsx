/**
 * Verification: a trigger set, a suspect (file or endpoint), the innocent null the verdict is
 * calibrated on, the answer mode, the significance level and a query budget. The run is a job: its
 * progress counts queries used against those needed, and it can be cancelled (the recorded replies
 * stay in the case and a new run with the same inputs resumes from them).
 */
import { Button, Card, Group, NumberInput, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useJobs, useLatestJob } from '../../api/jobs.tsx';
import { useAction } from '../../api/use-action.ts';
import { shortPath } from '../../format.ts';
import type { CaseTabProps } from '../../pages/CasePage.tsx';
import { navigate } from '../../router.tsx';
import { FormError } from '../forms/FormError.tsx';
import { EMPTY_SUSPECT, SuspectFields, suspectInput, type SuspectForm } from '../forms/SuspectFields.tsx';
import { ENDPOINT_FIELD_PATHS } from '../forms/EndpointFields.tsx';
import { JobSlot } from './JobSlot.tsx';
import { triggerSetsWithPaths } from './TriggerSetsTab.tsx';

/** What a verify job's result says (docs/decisions/workbench-contract.md), as far as this tab uses it. */
interface VerifyOutcome {
  runId?: number;
  status?: 'complete' | 'partial';
  reason?: string;
  resumedReplies?: number;
  queries?: { needed?: number; sent?: number; reused?: number; budget?: number };
}

function VerifySummary({ result }: { result: unknown }) {
  const r = (result ?? {}) as VerifyOutcome;
  const q = r.queries;
  return (
    <Stack gap={2} data-testid="verify-summary" data-status={r.status}>
      {q && (
        <Text size="sm" data-testid="verify-queries">
          Queries: {q.sent ?? 0} sent of {q.needed ?? '?'} needed
          {q.reused ? `, ${q.reused} answered from the record` : ''}
          {q.budget !== undefined ? ` (budget ${q.budget})` : ''}.
        </Text>
      )}
      {r.status === 'partial' && (
        <Text size="sm" c="orange">
          Stopped before a verdict: {r.reason ?? 'out of budget'}. Start the same verification again (with a larger budget) to resume; the replies already
          recorded are not sent again.
        </Text>
      )}
    </Stack>
  );
}

export function VerifyTab({ data }: CaseTabProps) {
  const caseId = data.case.id;
  const { start } = useJobs();
  const sets = triggerSetsWithPaths(data).filter((t) => t.path);
  const nulls = data.suites.filter((s) => s.purpose === 'suite' && s.complete);
  const [triggersDir, setTriggersDir] = useState<string | null>(null);
  const [nullDir, setNullDir] = useState<string | null>(null);
  const [suspect, setSuspect] = useState<SuspectForm>(EMPTY_SUSPECT);
  const [labelsOnly, setLabelsOnly] = useState(true);
  const [level, setLevel] = useState<number | string>(0.001);
  const [budget, setBudget] = useState<number | string>('');
  const triggers = triggersDir ?? sets.at(-1)?.path ?? null;
  // Default null: the biggest complete one (a calibration null beats a small suite's 4 innocents).
  const defaultNull = [...nulls].sort((a, b) => b.negatives - a.negatives)[0]?.dir ?? null;
  const nullSuite = nullDir ?? defaultNull;
  const latest = useLatestJob(caseId, ['verify']);
  const outcome = latest?.status === 'done' ? ((latest.result ?? {}) as VerifyOutcome) : undefined;
  const finishedRun = outcome?.status === 'complete' ? outcome.runId : undefined;

  const verify = useAction(() => {
    const s = suspectInput(suspect);
    const name = s.kind === 'file' ? shortPath(s.path) : s.endpoint.url;
    return start(
      {
        kind: 'verify', caseId, triggersDir: triggers ?? '', suspect: s, nullSuiteDir: nullSuite ?? '', labelsOnly,
        level: level === '' ? undefined : Number(level), ...(budget === '' ? {} : { budget: Number(budget) }),
      },
      `Verify ${name}`,
    );
  });
  const suspectPaths = ['suspect', ...ENDPOINT_FIELD_PATHS.map((p) => `suspect.endpoint.${p}`)];
  return (
    <Card withBorder padding="lg" maw={880}>
      <Stack gap="sm">
        <Title order={3}>Verify a suspect</Title>
        <Select
          label="Trigger set"
          data={sets.map((t) => ({ value: t.path!, label: `#${t.id} ${t.method} (seed ${t.seed})` }))}
          value={triggers}
          onChange={setTriggersDir}
          error={verify.issue('triggersDir')}
          description={sets.length ? undefined : 'No trigger set in this case yet'}
          data-testid="verify-triggers"
        />
        <SuspectFields value={suspect} onChange={setSuspect} issue={(p) => verify.issue(`suspect.${p}`) ?? (p === 'path' ? verify.issue('suspect') : undefined)} data={data} testIdPrefix="verify-suspect" />
        <Select
          label="Innocent null"
          description="The innocent models the suspect's score is compared with; the verdict's false-accusation probability is measured on them"
          data={nulls.map((s) => ({ value: s.dir, label: `${shortPath(s.dir)}: ${s.preset}, ${s.negatives} innocent models` }))}
          value={nullSuite}
          onChange={setNullDir}
          error={verify.issue('nullSuiteDir')}
          data-testid="verify-null"
        />
        <Switch
          label="Labels only"
          description="Use only the predicted labels, even where the suspect gives probabilities (what a label-only API allows)"
          checked={labelsOnly}
          onChange={(e) => setLabelsOnly(e.currentTarget.checked)}
          error={verify.issue('labelsOnly')}
          data-testid="verify-labels-only"
        />
        <Group grow align="flex-start">
          <NumberInput
            label="Significance level"
            description="The largest false-accusation probability accepted for “derived”"
            value={level}
            onChange={setLevel}
            decimalScale={6}
            step={0.001}
            error={verify.issue('level')}
            data-testid="verify-level"
          />
          <NumberInput
            label="Query budget"
            description="Most queries to send (empty: no limit); a run out of budget stops, resumable"
            value={budget}
            onChange={setBudget}
            min={0}
            allowDecimal={false}
            error={verify.issue('budget')}
            data-testid="verify-budget"
          />
        </Group>
        <FormError message={verify.rest(['triggersDir', 'nullSuiteDir', 'labelsOnly', 'level', 'budget', ...suspectPaths])} />
        <Group justify="flex-end">
          <Button onClick={() => void verify.run()} loading={verify.pending} data-testid="verify-start">
            Verify
          </Button>
        </Group>
        <JobSlot caseId={caseId} kinds={['verify']} testId="verify-job" />
        {outcome && <VerifySummary result={outcome} />}
        {finishedRun !== undefined && (
          <Group justify="flex-end">
            <Text size="sm">The verdict is in.</Text>
            <Button variant="light" onClick={() => navigate({ page: 'case', caseId, tab: 'results', runId: finishedRun })} data-testid="verify-see-result">
              See the result
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
