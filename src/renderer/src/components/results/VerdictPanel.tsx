/**
 * The verdict in plain words: what was decided, and how likely it is that an innocent model would
 * have been accused — the number an investigator has to be able to say out loud and defend.
 */
import { Alert, Group, Stack, Text, Title } from '@mantine/core';
import type { OutputOf } from '../../../../shared/contract.ts';
import { formatProbability, oneIn } from '../../format.ts';

type Verdict = NonNullable<OutputOf<'runs.get'>['run']['verdict']>;

const HEADLINE: Record<Verdict['decision'], string> = {
  derived: 'Derived: the suspect is very likely a copy or a modification of the source model.',
  'not-derived': 'Not shown to be derived: the suspect scores like the innocent models.',
  'insufficient-null': 'No verdict: the innocent null is too small to measure how often an innocent model would be accused.',
};

const COLOR: Record<Verdict['decision'], string> = { derived: 'red', 'not-derived': 'teal', 'insufficient-null': 'orange' };

/** The false-accusation probability the verdict rests on: the fitted tail when there is one, else the empirical rate. */
export function falseAccusation(v: Verdict): number {
  return v.pParametric ?? v.pEmpirical;
}

export function VerdictPanel({ verdict }: { verdict: Verdict }) {
  const p = falseAccusation(verdict);
  const phrase = oneIn(p);
  return (
    <Alert color={COLOR[verdict.decision]} variant="light" data-testid="verdict" data-decision={verdict.decision} title={<Title order={3}>{HEADLINE[verdict.decision]}</Title>}>
      <Stack gap={6}>
        <Text data-testid="verdict-probability">
          Probability that an innocent model scores at least this high (a false accusation):{' '}
          <b>{formatProbability(p)}</b>
          {phrase ? ` (${phrase})` : ''}, measured on {verdict.nullSize} innocent model{verdict.nullSize === 1 ? '' : 's'}
          {verdict.pParametric !== null ? ' with a fitted tail' : ''}; the level asked for was {formatProbability(verdict.level)}.
        </Text>
        <Group gap="lg">
          <Text size="sm">
            Score <b data-testid="verdict-score">{verdict.score.toFixed(3)}</b>
          </Text>
          <Text size="sm">Highest innocent score {verdict.nullMax === null ? '–' : verdict.nullMax.toFixed(3)}</Text>
          <Text size="sm">Empirical p {formatProbability(verdict.pEmpirical)}</Text>
          {verdict.pParametric !== null && <Text size="sm">Fitted-tail p {formatProbability(verdict.pParametric)}</Text>}
          <Text size="sm">Rests on: {verdict.supportedBy}</Text>
        </Group>
        <Text size="sm" c="dimmed">
          {verdict.explanation}
        </Text>
      </Stack>
    </Alert>
  );
}
