/** Remote prediction APIs as suspects (KServe v2, TF-Serving, generic JSON). */
export { httpOracle } from './http-oracle.ts';
export { parseHttpOptions, type HttpOracleOptions, type HttpOracleConfig } from './options.ts';
export { redactUrl } from './redact.ts';
