/**
 * The generic JSON protocol's request template: JSON text with exactly one placeholder string,
 * "{{inputs}}" (replaced by the whole batch, nested arrays [n][...input]) or "{{input}}" (one input
 * per request, nested arrays [...input]). A bare, unquoted placeholder (`{"data": {{inputs}}}`, as
 * API docs often write it) is accepted too: it is quoted before parsing.
 */

export interface RequestTemplate {
  /** One input per request ("{{input}}") or a batch ("{{inputs}}"). */
  readonly single: boolean;
  /** The request body with the placeholder replaced by `value`. */
  fill(value: unknown): string;
}

const PLACEHOLDERS = new Set(['{{inputs}}', '{{input}}']);

export function parseRequestTemplate(text: string): RequestTemplate {
  const quoted = text.replace(/(^|[^"])\{\{(inputs?)\}\}(?!")/g, '$1"{{$2}}"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoted);
  } catch (e) {
    throw new Error(`not valid JSON (${(e as Error).message})`);
  }
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && PLACEHOLDERS.has(v)) found.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(parsed);
  if (found.length !== 1) {
    throw new Error(`expected exactly one "{{inputs}}" or "{{input}}" placeholder value, found ${found.length}`);
  }
  const placeholder = found[0];
  const fill = (value: unknown): string => {
    const replace = (v: unknown): unknown => {
      if (v === placeholder) return value;
      if (Array.isArray(v)) return v.map(replace);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, replace(e)]));
      return v;
    };
    return JSON.stringify(replace(parsed));
  };
  return { single: placeholder === '{{input}}', fill };
}
