/** The investigator's notes: dated, kept in the case and in its audit chain (they cannot be edited). */
import { Button, Card, Group, Stack, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useState } from 'react';
import { useClient } from '../../api/context.tsx';
import { useAction } from '../../api/use-action.ts';
import { formatTime } from '../../format.ts';
import type { CaseTabProps } from '../../pages/CasePage.tsx';
import { FormError } from '../forms/FormError.tsx';

export function NotesTab({ data, reload }: CaseTabProps) {
  const { client } = useClient();
  const [text, setText] = useState('');
  const add = useAction(() => client.invoke('cases.addNote', { caseId: data.case.id, text }));
  return (
    <Card withBorder padding="lg" maw={880}>
      <Stack gap="md">
        <Title order={3}>Notes</Title>
        {data.notes.length === 0 ? (
          <Text c="dimmed">No notes yet.</Text>
        ) : (
          <Timeline bulletSize={12} lineWidth={2} data-testid="notes-list">
            {data.notes.map((n) => (
              <Timeline.Item key={n.id} title={formatTime(n.time)} data-testid="note">
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {n.text}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void add.run().then((r) => {
              if (!r) return;
              setText('');
              reload();
            });
          }}
        >
          <Stack gap="sm">
            <Textarea
              label="New note"
              description="Notes are part of the audit chain: they can be added, not changed"
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              error={add.issue('text')}
              autosize
              minRows={3}
              data-testid="note-text"
            />
            <FormError message={add.rest(['text'])} />
            <Group justify="flex-end">
              <Button type="submit" loading={add.pending} data-testid="note-add">
                Add note
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}
