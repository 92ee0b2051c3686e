/**
 * The suspect of a verification or a replay: a model file or folder on this machine (with the
 * case's suspect exhibits and suite folders offered), or a remote endpoint.
 */
import { Autocomplete, SegmentedControl, Stack, Text } from '@mantine/core';
import type { CaseData } from '../../pages/CasePage.tsx';
import { EMPTY_ENDPOINT, EndpointFields, endpointSpec, type EndpointForm, type EndpointSpecInput } from './EndpointFields.tsx';

export interface SuspectForm {
  kind: 'file' | 'endpoint';
  path: string;
  endpoint: EndpointForm;
}

export const EMPTY_SUSPECT: SuspectForm = { kind: 'file', path: '', endpoint: EMPTY_ENDPOINT };

export type SuspectInput = { kind: 'file'; path: string } | { kind: 'endpoint'; endpoint: EndpointSpecInput };

export function suspectInput(f: SuspectForm): SuspectInput {
  return f.kind === 'file' ? { kind: 'file', path: f.path.trim() } : { kind: 'endpoint', endpoint: endpointSpec(f.endpoint) };
}

/** Paths worth offering: the case's suspect files, and the model folders of its suites. */
function suggestions(data: CaseData | undefined): string[] {
  if (!data) return [];
  const files = data.exhibits.filter((x) => x.role === 'suspect-file').map((x) => x.path);
  const suiteDirs = data.suites.filter((s) => s.purpose === 'suite').map((s) => `${s.dir}/models/`);
  return [...new Set([...files, ...suiteDirs])];
}

interface Props {
  value: SuspectForm;
  onChange: (next: SuspectForm) => void;
  /** Issues under the suspect ('path', 'endpoint.url'). */
  issue: (path: string) => string | undefined;
  data?: CaseData;
  testIdPrefix: string;
}

export function SuspectFields({ value, onChange, issue, data, testIdPrefix }: Props) {
  return (
    <Stack gap="sm">
      <Stack gap={4}>
        <Text size="sm" fw={500} id={`${testIdPrefix}-kind-label`}>
          Suspect
        </Text>
        <SegmentedControl
          aria-labelledby={`${testIdPrefix}-kind-label`}
          data={[
            { value: 'file', label: 'Model file or folder' },
            { value: 'endpoint', label: 'Remote endpoint' },
          ]}
          value={value.kind}
          onChange={(k) => onChange({ ...value, kind: k as SuspectForm['kind'] })}
          data-testid={`${testIdPrefix}-kind`}
        />
      </Stack>
      {value.kind === 'file' ? (
        <Autocomplete
          label="Suspect model"
          description="A model folder or an .onnx file on this machine (a suite's model: <suite folder>/models/<id>)"
          data={suggestions(data)}
          value={value.path}
          onChange={(path) => onChange({ ...value, path })}
          error={issue('path')}
          data-testid={`${testIdPrefix}-path`}
        />
      ) : (
        <EndpointFields value={value.endpoint} onChange={(endpoint) => onChange({ ...value, endpoint })} issue={(p) => issue(`endpoint.${p}`)} testIdPrefix={`${testIdPrefix}-endpoint`} />
      )}
    </Stack>
  );
}
