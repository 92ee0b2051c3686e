/**
 * Secrets never leave the oracle: not in describe(), not in a report, not in an error. Two tools:
 * a URL form for display (credentials and query values masked), and a scrubber that masks every
 * known secret in free text (server error bodies may echo a header; exception messages may quote a
 * URL). Both are applied to every string this package hands out.
 */

const MASK = '***';

/** `https://***@api.example/v1/predict?key=***`: userinfo and every query value masked, fragment dropped. */
export function redactUrl(raw: string): string {
  const u = new URL(raw);
  const userinfo = u.username || u.password ? `${MASK}@` : '';
  const query = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${MASK}`).join('&');
  return `${u.protocol}//${userinfo}${u.host}${u.pathname}${query ? `?${query}` : ''}`;
}

/**
 * Strings that count as secrets for a given endpoint: every header value (and the credential after
 * an auth scheme, "Bearer <token>"), the URL's user and password, and its query values, each in raw
 * and percent-decoded form. Values shorter than 4 characters are left out: masking "1" everywhere
 * would garble "HTTP 401" and such values protect nothing.
 */
export function secretsOf(url: string, headers: Record<string, string>): string[] {
  const out = new Set<string>();
  const add = (s: string | undefined) => {
    if (s === undefined) return;
    for (const v of [s, safeDecode(s)]) if (v.trim().length >= 4) out.add(v.trim());
  };
  for (const value of Object.values(headers)) {
    add(value);
    const space = value.indexOf(' ');
    if (space > 0) add(value.slice(space + 1));
  }
  const u = new URL(url);
  add(u.username);
  add(u.password);
  for (const [, v] of u.searchParams) add(v);
  for (const part of u.search.slice(1).split('&')) add(part.split('=')[1]);
  return [...out];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A function masking each of `secrets` (longest first, so a token inside a header is masked whole). */
export function scrubber(secrets: string[]): (text: string) => string {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of sorted) out = out.split(s).join(MASK);
    return out;
  };
}
