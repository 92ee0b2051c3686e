/** The part of an action's error that no input shows (see useAction's `rest`). */
import { Alert } from '@mantine/core';

export function FormError({ message, testId = 'form-error' }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <Alert color="red" variant="light" data-testid={testId} role="alert">
      {message}
    </Alert>
  );
}
