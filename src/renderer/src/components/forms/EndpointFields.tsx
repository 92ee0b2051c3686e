/**
 * The fields of a remote prediction API (endpointSpecSchema): address, protocol, model name, what it
 * answers (labels only or probabilities), the name of a stored API key, and for the generic JSON
 * protocol the request template and the reply's path. Used to add an endpoint, to test one and to
 * verify or replay against one. The key's value never passes through here: only its name.
 */
import { Group, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import type { z } from 'zod';
import type { endpointSpecSchema } from '../../../../shared/workbench-contract.ts';
import { useRequest } from '../../api/context.tsx';

export type EndpointSpecInput = z.input<typeof endpointSpecSchema>;

export interface EndpointForm {
  url: string;
  protocol: 'kserve' | 'tfserving' | 'json';
  model: string;
  labelsOnly: boolean;
  apiKey: string | null;
  requestTemplate: string;
  responsePath: string;
  reply: 'labels' | 'scores';
}

export const EMPTY_ENDPOINT: EndpointForm = {
  url: '', protocol: 'kserve', model: '', labelsOnly: true, apiKey: null, requestTemplate: '{"inputs": {{inputs}}}', responsePath: 'predictions', reply: 'labels',
};

/** The form as the contract wants it: empty optional fields left out, so the contract names real faults. */
export function endpointSpec(f: EndpointForm): EndpointSpecInput {
  return {
    url: f.url.trim(),
    protocol: f.protocol,
    ...(f.model.trim() ? { model: f.model.trim() } : {}),
    labelsOnly: f.labelsOnly,
    ...(f.labelsOnly ? {} : { scores: 'probabilities' as const }),
    ...(f.apiKey ? { apiKey: f.apiKey } : {}),
    ...(f.protocol === 'json' ? { json: { requestTemplate: f.requestTemplate, responsePath: f.responsePath, reply: f.reply } } : {}),
  };
}

export const ENDPOINT_FIELD_PATHS = ['url', 'protocol', 'model', 'labelsOnly', 'scores', 'apiKey', 'json'] as const;

interface Props {
  value: EndpointForm;
  onChange: (next: EndpointForm) => void;
  /** The issue for a field path inside the endpoint ('url', 'json.responsePath'). */
  issue: (path: string) => string | undefined;
  testIdPrefix?: string;
}

export function EndpointFields({ value, onChange, issue, testIdPrefix = 'endpoint' }: Props) {
  const settings = useRequest('settings.get');
  const keyNames = settings.status === 'done' ? settings.data.apiKeys : [];
  const set = <K extends keyof EndpointForm>(k: K, v: EndpointForm[K]) => onChange({ ...value, [k]: v });
  const tid = (name: string) => `${testIdPrefix}-${name}`;
  return (
    <Stack gap="sm">
      <TextInput
        label="Prediction API address"
        description="The suspect's endpoint, e.g. https://api.example.com/v2/models/digits/infer"
        placeholder="https://"
        value={value.url}
        onChange={(e) => set('url', e.currentTarget.value)}
        error={issue('url')}
        data-testid={tid('url')}
        required
      />
      <Group grow align="flex-start">
        <Select
          label="Protocol"
          data={[
            { value: 'kserve', label: 'KServe v2 / Triton' },
            { value: 'tfserving', label: 'TF-Serving REST' },
            { value: 'json', label: 'Generic JSON' },
          ]}
          value={value.protocol}
          onChange={(v) => v && set('protocol', v as EndpointForm['protocol'])}
          allowDeselect={false}
          error={issue('protocol')}
          data-testid={tid('protocol')}
        />
        <TextInput
          label="Model name"
          description="As the server knows it (optional)"
          value={value.model}
          onChange={(e) => set('model', e.currentTarget.value)}
          error={issue('model')}
          data-testid={tid('model')}
        />
      </Group>
      <Stack gap={4}>
        <Text size="sm" fw={500} id={tid('mode-label')}>
          What the API answers
        </Text>
        <SegmentedControl
          aria-labelledby={tid('mode-label')}
          data={[
            { value: 'labels', label: 'Labels only' },
            { value: 'probabilities', label: 'Probabilities' },
          ]}
          value={value.labelsOnly ? 'labels' : 'probabilities'}
          onChange={(v) => set('labelsOnly', v === 'labels')}
          data-testid={tid('mode')}
        />
        {(issue('labelsOnly') || issue('scores')) && (
          <Text size="xs" c="red">
            {issue('labelsOnly') ?? issue('scores')}
          </Text>
        )}
      </Stack>
      <Select
        label="API key"
        description={keyNames.length ? 'Sent as the Authorization header; the value stays in the key store' : 'No keys stored: add one under Settings'}
        placeholder="none"
        data={keyNames}
        value={value.apiKey}
        onChange={(v) => set('apiKey', v)}
        clearable
        error={issue('apiKey')}
        data-testid={tid('api-key')}
      />
      {value.protocol === 'json' && (
        <>
          <Textarea
            label="Request template"
            description='JSON with "{{inputs}}" (a batch) or "{{input}}" (one image) where the pixels go'
            value={value.requestTemplate}
            onChange={(e) => set('requestTemplate', e.currentTarget.value)}
            error={issue('json.requestTemplate') ?? issue('json')}
            autosize
            minRows={2}
            data-testid={tid('json-request')}
          />
          <Group grow align="flex-start">
            <TextInput
              label="Reply path"
              description="Where the answers are in the reply, e.g. predictions or data.labels"
              value={value.responsePath}
              onChange={(e) => set('responsePath', e.currentTarget.value)}
              error={issue('json.responsePath')}
              data-testid={tid('json-response')}
            />
            <Select
              label="The reply holds"
              data={[
                { value: 'labels', label: 'labels' },
                { value: 'scores', label: 'scores' },
              ]}
              value={value.reply}
              onChange={(v) => v && set('reply', v as EndpointForm['reply'])}
              allowDeselect={false}
              error={issue('json.reply')}
            />
          </Group>
        </>
      )}
    </Stack>
  );
}
