/**
 * One parameter of a fingerprinting method, edited by the input its default calls for: a number, a
 * switch, a text, or JSON for lists and objects. The method's help text is the description.
 */
import { NumberInput, Switch, TextInput, Textarea } from '@mantine/core';

export type ParamDraft = number | string | boolean;

/** The draft an input starts from: the default itself, or its JSON for lists, objects and null. */
export function draftOf(value: unknown): ParamDraft {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value ?? null);
}

/** The value sent for a draft: numbers and switches as they are; JSON parsed for structured defaults. */
export function valueOf(draft: ParamDraft, fallback: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (typeof fallback === 'number') return draft === '' ? { ok: true, value: fallback } : { ok: true, value: Number(draft) };
  if (typeof fallback === 'boolean' || typeof fallback === 'string') return { ok: true, value: draft };
  try {
    return { ok: true, value: JSON.parse(String(draft)) };
  } catch (err) {
    return { ok: false, message: `not valid JSON: ${(err as Error).message}` };
  }
}

interface Props {
  name: string;
  fallback: unknown;
  help?: string;
  draft: ParamDraft;
  onChange: (draft: ParamDraft) => void;
  error?: string;
}

export function ParamField({ name, fallback, help, draft, onChange, error }: Props) {
  const common = { label: name, description: help, error, 'data-testid': `param-${name}` };
  if (typeof fallback === 'number') {
    return <NumberInput {...common} value={draft as number | string} onChange={onChange} decimalScale={8} />;
  }
  if (typeof fallback === 'boolean') {
    return <Switch {...common} checked={Boolean(draft)} onChange={(e) => onChange(e.currentTarget.checked)} />;
  }
  if (typeof fallback === 'string') {
    return <TextInput {...common} value={String(draft)} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
  return <Textarea {...common} value={String(draft)} onChange={(e) => onChange(e.currentTarget.value)} autosize minRows={1} ff="monospace" />;
}
