/** A new case: its name, the parties (investigator, owner of the source model, suspected party), a description. */
import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { OutputOf } from '../../../shared/contract.ts';
import { useClient } from '../api/context.tsx';
import { useAction } from '../api/use-action.ts';
import { FormError } from './forms/FormError.tsx';

type CaseSummary = OutputOf<'cases.create'>;

const EMPTY = { name: '', investigator: '', owner: '', suspect: '', description: '' };
const FIELDS = ['name', 'parties', 'description'] as const;

export function CreateCaseModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (c: CaseSummary) => void }) {
  const { client } = useClient();
  const [form, setForm] = useState(EMPTY);
  const create = useAction(() => {
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    const parties = Object.fromEntries(
      (['investigator', 'owner', 'suspect'] as const).flatMap((k) => (opt(form[k]) ? [[k, opt(form[k])]] : [])),
    );
    return client.invoke('cases.create', { name: form.name, parties, ...(opt(form.description) ? { description: opt(form.description) } : {}) });
  });
  const set = (k: keyof typeof EMPTY) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const close = () => {
    create.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="New case" size="lg" data-testid="create-case-modal">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create.run().then((c) => {
            if (!c) return;
            setForm(EMPTY);
            onCreated(c);
          });
        }}
      >
        <Stack gap="sm">
          <TextInput
            label="Case name"
            description="What is being asked, e.g. “Is the model behind api.example.com derived from ours?”"
            value={form.name}
            onChange={set('name')}
            error={create.issue('name')}
            data-testid="case-name"
            data-autofocus
          />
          <Group grow align="flex-start">
            <TextInput label="Investigator" value={form.investigator} onChange={set('investigator')} error={create.issue('parties.investigator')} data-testid="case-investigator" />
            <TextInput label="Owner of the source model" value={form.owner} onChange={set('owner')} error={create.issue('parties.owner')} data-testid="case-owner" />
            <TextInput label="Suspected party" value={form.suspect} onChange={set('suspect')} error={create.issue('parties.suspect')} data-testid="case-suspect" />
          </Group>
          <Textarea
            label="Description"
            value={form.description}
            onChange={set('description')}
            error={create.issue('description')}
            autosize
            minRows={3}
            data-testid="case-description"
          />
          <FormError message={create.rest(FIELDS)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.pending} data-testid="case-create-submit">
              Create case
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
