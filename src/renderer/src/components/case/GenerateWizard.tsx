/**
 * The trigger-set wizard: choose a method (each with what it does and whether it needs a generation
 * pool), the source and pool, then the parameters with their defaults and explanations, and a seed;
 * the generation runs as a job and its trigger set joins the case.
 */
import { Badge, Button, Card, Group, NumberInput, Radio, Select, SimpleGrid, Stack, Stepper, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { OutputOf } from '../../../../shared/contract.ts';
import { useRequest } from '../../api/context.tsx';
import { useJobs, type JobSpecInput } from '../../api/jobs.tsx';
import { useAction } from '../../api/use-action.ts';
import { shortPath } from '../../format.ts';
import type { CaseData } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';
import { RequestView } from '../RequestView.tsx';
import { JobSlot } from './JobSlot.tsx';
import { sourceExhibits } from './ModelsTab.tsx';
import { ParamField, draftOf, valueOf, type ParamDraft } from './ParamField.tsx';

type Method = OutputOf<'methods.list'>['methods'][number];
type MethodId = Extract<JobSpecInput, { kind: 'generate' }>['method'];

function draftsFor(m: Method | undefined): Record<string, ParamDraft> {
  return Object.fromEntries(Object.entries(m?.defaults ?? {}).map(([k, v]) => [k, draftOf(v)]));
}

export function GenerateWizard({ data }: { data: CaseData }) {
  const methods = useRequest('methods.list');
  return (
    <Card withBorder padding="lg" data-testid="generate-wizard">
      <Title order={3} mb="sm">
        Generate a trigger set
      </Title>
      <RequestView state={methods} label="methods">
        {({ methods: list }) => <Wizard data={data} methods={list} />}
      </RequestView>
    </Card>
  );
}

function Wizard({ data, methods }: { data: CaseData; methods: Method[] }) {
  const caseId = data.case.id;
  const { start } = useJobs();
  const [step, setStep] = useState(0);
  const [methodId, setMethodId] = useState<string>(methods[0]?.id ?? '');
  const method = methods.find((m) => m.id === methodId);
  const sources = sourceExhibits(data);
  const pools = data.suites.filter((s) => s.purpose === 'pool' && s.complete);
  const [sourceDir, setSourceDir] = useState<string | null>(null);
  const [poolDir, setPoolDir] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Record<string, ParamDraft>>(() => draftsFor(methods[0]));
  const [seed, setSeed] = useState<number | string>(1);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const source = sourceDir ?? sources.at(-1)?.path ?? null;
  const pool = poolDir ?? pools.at(-1)?.dir ?? null;

  const chooseMethod = (id: string) => {
    setMethodId(id);
    setDrafts(draftsFor(methods.find((x) => x.id === id)));
    setLocalErrors({});
  };

  const generate = useAction(async () => {
    const params: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const [k, fallback] of Object.entries(method?.defaults ?? {})) {
      const v = valueOf(drafts[k] ?? draftOf(fallback), fallback);
      if (v.ok) params[k] = v.value;
      else errors[k] = v.message;
    }
    setLocalErrors(errors);
    if (Object.keys(errors).length) throw new Error('Some parameters are not valid: see the fields above.');
    return start(
      { kind: 'generate', caseId, method: methodId as MethodId, sourceDir: source ?? '', ...(method?.needsPool && pool ? { poolDir: pool } : {}), params, seed: Number(seed) },
      `Generate ${methodId} triggers`,
    );
  });

  const paramPaths = Object.keys(method?.defaults ?? {}).map((k) => `params.${k}`);
  return (
    <Stack gap="md">
      <Stepper active={step} onStepClick={setStep} size="sm">
        <Stepper.Step label="Method" description={method?.id}>
          <Radio.Group value={methodId} onChange={chooseMethod} label="Fingerprinting method" error={generate.issue('method')}>
            <SimpleGrid cols={{ base: 1, md: 2 }} mt="xs">
              {methods.map((m) => (
                <Radio.Card key={m.id} value={m.id} p="sm" radius="md" data-testid={`method-${m.id}`}>
                  <Group wrap="nowrap" align="flex-start">
                    <Radio.Indicator />
                    <Stack gap={4}>
                      <Group gap="xs">
                        <Text fw={600}>{m.id}</Text>
                        {m.needsPool && (
                          <Badge size="xs" color="grape" variant="light">
                            needs a pool
                          </Badge>
                        )}
                        {m.labelOnly && (
                          <Badge size="xs" color="teal" variant="light">
                            works on labels only
                          </Badge>
                        )}
                      </Group>
                      <Text size="sm" c="dimmed">
                        {m.description}
                      </Text>
                    </Stack>
                  </Group>
                </Radio.Card>
              ))}
            </SimpleGrid>
          </Radio.Group>
        </Stepper.Step>
        <Stepper.Step label="Models" description="source and pool">
          <Stack gap="sm">
            <Select
              label="Source model (ours)"
              data={sources.map((x) => ({ value: x.path, label: `#${x.id} ${shortPath(x.path)}` }))}
              value={source}
              onChange={setSourceDir}
              error={generate.issue('sourceDir')}
              description={sources.length ? undefined : 'No source yet: train one under Models & suites'}
              data-testid="generate-source"
            />
            {method?.needsPool ? (
              <Select
                label="Generation pool"
                description={pools.length ? `${method.id} optimises against pirated and innocent models of a pool` : 'No complete pool in this case: build one (preset pool) under Models & suites'}
                data={pools.map((p) => ({ value: p.dir, label: `${shortPath(p.dir)} (${p.positives} + ${p.negatives})` }))}
                value={pool}
                onChange={setPoolDir}
                error={generate.issue('poolDir')}
                data-testid="generate-pool"
              />
            ) : (
              <Text size="sm" c="dimmed">
                {method?.id ?? 'This method'} needs no generation pool.
              </Text>
            )}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Parameters" description="defaults explained">
          <Stack gap="sm">
            {method &&
              Object.entries(method.defaults).map(([k, fallback]) => (
                <ParamField
                  key={`${method.id}.${k}`}
                  name={k}
                  fallback={fallback}
                  help={method.help[k]}
                  draft={drafts[k] ?? draftOf(fallback)}
                  onChange={(d) => setDrafts({ ...drafts, [k]: d })}
                  error={localErrors[k] ?? generate.issue(`params.${k}`)}
                />
              ))}
            <NumberInput label="Seed" description="Every random choice of the generation follows from it" value={seed} onChange={setSeed} error={generate.issue('seed')} data-testid="generate-seed" />
          </Stack>
        </Stepper.Step>
      </Stepper>
      <FormError message={generate.rest(['method', 'sourceDir', 'poolDir', 'seed', ...paramPaths])} />
      <Group justify="space-between">
        <Button variant="default" disabled={step === 0} onClick={() => setStep(step - 1)} data-testid="generate-back">
          Back
        </Button>
        {step < 2 ? (
          <Button onClick={() => setStep(step + 1)} data-testid="generate-next">
            Next
          </Button>
        ) : (
          <Button onClick={() => void generate.run()} loading={generate.pending} data-testid="generate-start">
            Generate
          </Button>
        )}
      </Group>
      <JobSlot caseId={caseId} kinds={['generate']} testId="generate-job" />
    </Stack>
  );
}
