/**
 * Models & suites: train a source model on an embedded dataset (the demo's way to get one), and
 * build around a source the model-lab suites: an evaluation suite (pirated + innocent models), a
 * generation pool, or a calibration null (innocent models only) that verdicts are calibrated on.
 */
import { Badge, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useJobs } from '../../api/jobs.tsx';
import { useAction } from '../../api/use-action.ts';
import { shortPath } from '../../format.ts';
import type { CaseData, CaseTabProps } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';
import { JobSlot } from './JobSlot.tsx';

const PRESET_HELP: Record<string, string> = {
  small: '13 models, every kind of suspect once, few epochs (minutes; for trying things)',
  standard: '40 pirated + 40 innocent models',
  paper: 'the proportions of the MFUE paper (124 models)',
  pool: '12 + 12 models for the methods that need a generation pool',
  calibration: '24 innocent models: a null to calibrate verdicts on',
};

export function sourceExhibits(data: CaseData) {
  return data.exhibits.filter((x) => x.role === 'source');
}

export function ModelsTab({ data }: CaseTabProps) {
  const caseId = data.case.id;
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <TrainCard caseId={caseId} />
        <SuiteCard data={data} />
      </SimpleGrid>
      <Card withBorder padding="lg">
        <Title order={3} mb="sm">
          Suites, pools and nulls of this case
        </Title>
        {data.suites.length === 0 ? (
          <Text c="dimmed">None built yet.</Text>
        ) : (
          <Table data-testid="suites-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Folder</Table.Th>
                <Table.Th>Purpose</Table.Th>
                <Table.Th>Preset</Table.Th>
                <Table.Th ta="right">Pirated</Table.Th>
                <Table.Th ta="right">Innocent</Table.Th>
                <Table.Th>State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.suites.map((s) => (
                <Table.Tr key={s.dir} data-testid="suite-row" data-preset={s.preset} data-purpose={s.purpose} data-dir={s.dir} data-complete={s.complete}>
                  <Table.Td>
                    <Tooltip label={s.dir} openDelay={300}>
                      <Text size="sm">{shortPath(s.dir)}</Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>{s.purpose}</Table.Td>
                  <Table.Td>{s.preset}</Table.Td>
                  <Table.Td ta="right">{s.positives}</Table.Td>
                  <Table.Td ta="right">{s.negatives}</Table.Td>
                  <Table.Td>
                    <Badge color={s.complete ? 'teal' : 'orange'} variant="light">
                      {s.complete ? 'complete' : 'incomplete'}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed" mt="sm">
          A model of a suite can be verified as a suspect file: its folder is &lt;suite folder&gt;/models/&lt;model id&gt;.
        </Text>
      </Card>
    </Stack>
  );
}

interface TrainForm {
  dataset: 'mnist' | 'fashion-mnist';
  arch: 'mlp' | 'lenet' | 'cnn' | 'vgg' | 'resnet';
  /** NumberInput gives '' when emptied. */
  epochs: number | string;
  seed: number | string;
}

function TrainCard({ caseId }: { caseId: string }) {
  const { start } = useJobs();
  const [form, setForm] = useState<TrainForm>({ dataset: 'mnist', arch: 'cnn', epochs: 2, seed: 1 });
  const train = useAction(() =>
    start(
      { kind: 'train', caseId, dataset: form.dataset, arch: form.arch, seed: Number(form.seed), ...(form.epochs === '' ? {} : { epochs: Number(form.epochs) }) },
      `Train ${form.arch} on ${form.dataset}`,
    ),
  );
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3}>Train a source model</Title>
        <Text size="sm" c="dimmed">
          For trying the workbench without a model of your own: trains on an embedded dataset and adds the model to this case as its source.
        </Text>
        <Group grow align="flex-start">
          <Select
            label="Dataset"
            data={[
              { value: 'mnist', label: 'MNIST digits (embedded)' },
              { value: 'fashion-mnist', label: 'Fashion-MNIST' },
            ]}
            value={form.dataset}
            onChange={(v) => v && setForm({ ...form, dataset: v as typeof form.dataset })}
            allowDeselect={false}
            error={train.issue('dataset')}
            data-testid="train-dataset"
          />
          <Select
            label="Architecture"
            data={['mlp', 'lenet', 'cnn', 'vgg', 'resnet']}
            value={form.arch}
            onChange={(v) => v && setForm({ ...form, arch: v as typeof form.arch })}
            allowDeselect={false}
            error={train.issue('arch')}
            data-testid="train-arch"
          />
        </Group>
        <Group grow align="flex-start">
          <NumberInput label="Epochs" description="Empty: the architecture's default" value={form.epochs} onChange={(v) => setForm({ ...form, epochs: v })} error={train.issue('epochs')} data-testid="train-epochs" />
          <NumberInput label="Seed" value={form.seed} onChange={(v) => setForm({ ...form, seed: v })} error={train.issue('seed')} data-testid="train-seed" />
        </Group>
        <FormError message={train.rest(['dataset', 'arch', 'epochs', 'seed'])} />
        <Group justify="flex-end">
          <Button onClick={() => void train.run()} loading={train.pending} data-testid="train-start">
            Train
          </Button>
        </Group>
        <JobSlot caseId={caseId} kinds={['train']} testId="train-job" />
      </Stack>
    </Card>
  );
}

function SuiteCard({ data }: { data: CaseData }) {
  const caseId = data.case.id;
  const { start } = useJobs();
  const sources = sourceExhibits(data);
  const [sourceDir, setSourceDir] = useState<string | null>(null);
  const [preset, setPreset] = useState<'small' | 'standard' | 'paper' | 'pool' | 'calibration'>('small');
  const [seed, setSeed] = useState<number | string>(1);
  const source = sourceDir ?? sources.at(-1)?.path ?? null;
  const build = useAction(() =>
    start(
      { kind: 'suite', caseId, sourceDir: source ?? '', preset, purpose: preset === 'pool' ? 'pool' : 'suite', seed: Number(seed) },
      `Build the ${preset} ${preset === 'pool' ? 'pool' : preset === 'calibration' ? 'null' : 'suite'}`,
    ),
  );
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={3}>Build a suite, pool or null</Title>
        <Select
          label="Source model"
          description={sources.length ? undefined : 'No source yet: train one, or add a model folder as a source exhibit'}
          data={sources.map((x) => ({ value: x.path, label: `#${x.id} ${shortPath(x.path)}` }))}
          value={source}
          onChange={setSourceDir}
          error={build.issue('sourceDir')}
          data-testid="suite-source"
        />
        <Select
          label="Preset"
          description={PRESET_HELP[preset]}
          data={Object.keys(PRESET_HELP)}
          value={preset}
          onChange={(v) => v && setPreset(v as typeof preset)}
          allowDeselect={false}
          error={build.issue('preset') ?? build.issue('purpose')}
          data-testid="suite-preset"
        />
        <NumberInput label="Seed" value={seed} onChange={setSeed} error={build.issue('seed')} data-testid="suite-seed" />
        <FormError message={build.rest(['sourceDir', 'preset', 'purpose', 'seed'])} />
        <Group justify="flex-end">
          <Button onClick={() => void build.run()} loading={build.pending} data-testid="suite-start">
            Build
          </Button>
        </Group>
        <JobSlot caseId={caseId} kinds={['suite']} testId="suite-job" />
      </Stack>
    </Card>
  );
}
