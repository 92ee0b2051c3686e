/**
 * Options of an HTTP suspect, validated with zod. Every error names the field
 * (`http.concurrency: expected a positive integer`) and never echoes a header value.
 */
import { z } from 'zod';
import { formatPath } from '../../../../shared/issues.ts';
import { PreprocessingSchema } from '../preprocess.ts';
import { parseResponsePath } from './response-path.ts';
import { parseRequestTemplate } from './request-template.ts';

const positiveInt = () => {
  const error = 'expected a positive integer';
  return z.number({ error }).int({ error }).positive({ error });
};
const nonNegativeInt = () => {
  const error = 'expected an integer >= 0';
  return z.number({ error }).int({ error }).min(0, { error });
};

const HTTP_URL = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

/** RFC 9110 token characters; fetch would throw on anything else (and its message quotes the value). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

export const JsonProtocolSchema = z.strictObject({
  /** JSON text holding one placeholder string, "{{inputs}}" (the batch) or "{{input}}" (one input). */
  requestTemplate: z.string({ error: 'expected JSON text with a "{{inputs}}" or "{{input}}" placeholder' }),
  /** Dot path to the answers in the reply (grammar in response-path.ts). */
  responsePath: z.string({ error: 'expected a dot path such as "predictions" or "results.*.label"' }),
  reply: z.enum(['labels', 'scores'], { error: 'expected "labels" or "scores"' }),
});

export const HttpOracleOptionsSchema = z
  .strictObject({
    url: z.string({ error: 'expected an http(s) URL' }).refine(HTTP_URL, { error: 'expected an http(s) URL' }),
    protocol: z.enum(['kserve', 'tfserving', 'json'], { error: 'expected "kserve", "tfserving" or "json"' }),
    /** kserve/tfserving model name; without it `url` is the full endpoint. */
    model: z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' }).optional(),
    inputShape: z.tuple([positiveInt(), positiveInt(), positiveInt()], { error: 'expected [height, width, channels]' }),
    numClasses: positiveInt(),
    labelOnly: z.boolean({ error: 'expected true or false' }),
    scores: z.enum(['probabilities', 'logits'], { error: 'expected "probabilities" or "logits"' }).default('probabilities'),
    preprocessing: PreprocessingSchema.prefault({}),
    headers: z
      .record(
        z.string().regex(HEADER_NAME, { error: 'expected a header name (letters, digits, -)' }),
        z.string({ error: 'expected a string value' }).regex(HEADER_VALUE, { error: 'header values cannot contain line breaks' }),
        { error: 'expected an object of header names to string values' },
      )
      .default({}),
    /** kserve input tensor name. */
    inputName: z.string().min(1, { error: 'expected a non-empty string' }).default('input'),
    /** kserve output tensor name / tfserving named output; default: the first output. */
    outputName: z.string().min(1, { error: 'expected a non-empty string' }).optional(),
    batchSize: positiveInt().default(32),
    concurrency: positiveInt().default(4),
    ratePerSecond: z.number({ error: 'expected a number > 0' }).positive({ error: 'expected a number > 0' }).optional(),
    timeoutMs: positiveInt().default(30_000),
    retries: nonNegativeInt().default(5),
    backoffMs: nonNegativeInt().default(250),
    json: JsonProtocolSchema.optional(),
    /** Tests only: a stand-in for the global fetch. */
    fetch: z.custom<typeof fetch>((v) => typeof v === 'function', { error: 'expected a function' }).optional(),
  })
  .superRefine((o, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (o.protocol === 'json') {
      if (!o.json) issue(['json'], 'required when protocol is "json" ({ requestTemplate, responsePath, reply })');
      if (o.model !== undefined) issue(['model'], 'only for protocol "kserve" or "tfserving" (put the full endpoint in url)');
    } else if (o.json) {
      issue(['json'], `only for protocol "json", not "${o.protocol}"`);
    }
    if (o.json) {
      try {
        parseRequestTemplate(o.json.requestTemplate);
      } catch (e) {
        issue(['json', 'requestTemplate'], (e as Error).message);
      }
      try {
        parseResponsePath(o.json.responsePath);
      } catch (e) {
        issue(['json', 'responsePath'], (e as Error).message);
      }
      if (!o.labelOnly && o.json.reply === 'labels') {
        issue(['json', 'reply'], 'probability mode (labelOnly: false) needs "scores"; an API that answers labels only is queried with labelOnly: true');
      }
    }
  });

export type HttpOracleOptions = z.input<typeof HttpOracleOptionsSchema>;
export type HttpOracleConfig = z.output<typeof HttpOracleOptionsSchema>;

/** Validates and fills defaults; throws `http.<field>: <what was expected>` (all issues, `; `-joined). */
export function parseHttpOptions(input: unknown): HttpOracleConfig {
  const r = HttpOracleOptionsSchema.safeParse(input);
  if (r.success) return r.data;
  throw new Error(r.error.issues.map((i) => `http${i.path.length ? '.' + formatPath(i.path) : ''}: ${i.message}`).join('; '));
}
