/**
 * Where requests go. kserve and tfserving build their path from the model name (KServe v2 /
 * Triton: POST {url}/v2/models/{model}/infer; TF-Serving: POST {url}/v1/models/{model}:predict);
 * without a model name, and always for the json protocol, `url` is the full endpoint.
 *
 * fetch refuses URLs with credentials (https://user:pass@host), so userinfo becomes an
 * `Authorization: Basic` header (unless one was given), which is what such a URL means.
 */
import type { HttpOracleConfig } from './options.ts';
import { redactUrl, secretsOf } from './redact.ts';

export interface Endpoint {
  /** The URL fetch is given: no userinfo. */
  readonly url: string;
  /** The URL for display: userinfo and query values masked. */
  readonly shown: string;
  /** Request headers: the declared ones, JSON content type, and Basic auth from userinfo. */
  readonly headers: Record<string, string>;
  /** Every string to mask in anything handed out. */
  readonly secrets: string[];
}

export function resolveEndpoint(cfg: Pick<HttpOracleConfig, 'url' | 'protocol' | 'model' | 'headers'>): Endpoint {
  const u = new URL(cfg.url);
  if (cfg.model !== undefined && cfg.protocol !== 'json') {
    const base = u.pathname.replace(/\/+$/, '');
    const model = encodeURIComponent(cfg.model);
    u.pathname = cfg.protocol === 'kserve' ? `${base}/v2/models/${model}/infer` : `${base}/v1/models/${model}:predict`;
  }
  const withUserinfo = u.toString();
  const headers: Record<string, string> = {};
  const has = (name: string) => Object.keys(cfg.headers).some((k) => k.toLowerCase() === name);
  if (!has('content-type')) headers['content-type'] = 'application/json';
  if (!has('accept')) headers.accept = 'application/json';
  if ((u.username || u.password) && !has('authorization')) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  Object.assign(headers, cfg.headers);
  u.username = '';
  u.password = '';
  return { url: u.toString(), shown: redactUrl(withUserinfo), headers, secrets: secretsOf(withUserinfo, headers) };
}
