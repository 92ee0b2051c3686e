/** Shows a request's loading and error states, and its data through `children`. */
import { Alert, Group, Loader, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { RequestState } from '../api/context.tsx';

export function RequestView<T>({ state, label, children }: { state: RequestState<T>; label: string; children: (data: T) => ReactNode }) {
  if (state.status === 'loading') {
    return (
      <Group gap="xs">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Loading {label}…
        </Text>
      </Group>
    );
  }
  if (state.status === 'error') {
    return (
      <Alert color="red" title={`Could not load ${label}`} data-testid="request-error">
        {state.error.message}
      </Alert>
    );
  }
  return <>{children(state.data)}</>;
}
