/**
 * `provenant keys new FILE` · `provenant bundle export CASE_DIR --run ID --key KEY --out FILE` ·
 * `provenant bundle verify FILE` · `provenant bundle import FILE --out DIR [--case CASE_DIR]`.
 * A bundle is the one file an arbiter receives: the trigger set, the null calibration, the decision
 * rule and the original numbers, signed with Ed25519 (docs/decisions/bundles.md).
 */
import { resolve } from 'node:path';
import { generateSigningKey, importBundle, loadSigningKey, verifyBundle } from '../../evidence/bundle/index.ts';
import { exportRunBundle, recordImportedBundle } from '../../services/run-bundle.ts';
import { openCase } from '../../store/index.ts';
import { intFlag, parse, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const KEYS_USAGE = 'provenant keys new KEY_FILE   (an Ed25519 signing key, PKCS#8 PEM, mode 0600)';
export const BUNDLE_USAGE = `provenant bundle export CASE_DIR --run ID --key KEY_FILE [--out FILE.pvb]
       provenant bundle verify FILE.pvb [--trust FINGERPRINT]...
       provenant bundle import FILE.pvb --out DIR [--trust FINGERPRINT]... [--require-trusted] [--case CASE_DIR]`;

export async function keysCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'new' || !rest[0]) throw new UsageError(`usage: ${KEYS_USAGE}`);
  const key = await generateSigningKey(resolve(rest[0]));
  if (ctx.json) ctx.out(JSON.stringify({ file: resolve(rest[0]), fingerprint: key.fingerprint }, null, 2));
  else ctx.out(`signing key ${resolve(rest[0])}; public-key fingerprint ${key.fingerprint} (give it to whoever must trust your bundles)`);
  return 0;
}

export async function bundleCommand(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'export') return bundleExport(rest, ctx);
  if (sub === 'verify' || sub === 'import') return bundleCheck(sub, rest, ctx);
  throw new UsageError(`bundle: expected export, verify or import; usage:\n${BUNDLE_USAGE}`);
}

async function bundleExport(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { run: { type: 'string' }, key: { type: 'string' }, out: { type: 'string', short: 'o' }, actor: { type: 'string' } }, 1);
  if (!positionals[0]) throw new UsageError(`bundle export: missing CASE_DIR; usage:\n${BUNDLE_USAGE}`);
  const runId = intFlag(v.run, 'run', 1);
  if (runId === undefined) throw new UsageError('--run ID is required');
  if (!v.key) throw new UsageError('--key KEY_FILE is required (make one with `provenant keys new KEY_FILE`)');
  const caseDir = resolve(positionals[0]);
  const store = openCase(caseDir, { actor: v.actor as string | undefined });
  try {
    const out = resolve(String(v.out ?? `${caseDir}/bundle-run${runId}.pvb`));
    const { bundle: b } = await exportRunBundle(store, runId, await loadSigningKey(resolve(String(v.key))), out);
    if (ctx.json) ctx.out(JSON.stringify({ file: b.file, sha256: b.sha256, fingerprint: b.fingerprint }, null, 2));
    else ctx.out(`bundle ${b.file} (sha256 ${b.sha256}), signed by ${b.fingerprint}`);
    return 0;
  } finally {
    store.close();
  }
}

async function bundleCheck(sub: 'verify' | 'import', argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { trust: { type: 'string', multiple: true }, 'require-trusted': { type: 'boolean', default: false }, out: { type: 'string', short: 'o' }, case: { type: 'string' }, actor: { type: 'string' } }, 1);
  if (!positionals[0]) throw new UsageError(`bundle ${sub}: missing FILE; usage:\n${BUNDLE_USAGE}`);
  const file = resolve(positionals[0]);
  const opts = { trust: (v.trust as string[] | undefined) ?? [], requireTrusted: Boolean(v['require-trusted']) };
  if (sub === 'verify') {
    const b = await verifyBundle(file, opts);
    if (ctx.json) ctx.out(JSON.stringify({ file, sha256: b.sha256, signer: b.signer, manifest: b.manifest }, null, 2));
    else ctx.out(`VALID: ${file} (sha256 ${b.sha256}): every entry matches its hash and the signature verifies; ${b.signer.note}`);
    return 0;
  }
  if (!v.out) throw new UsageError('bundle import: --out DIR is required (a new or empty directory)');
  const b = await importBundle(file, { ...opts, out: resolve(String(v.out)) });
  if (v.case) {
    const store = openCase(resolve(String(v.case)), { actor: v.actor as string | undefined });
    try {
      await recordImportedBundle(store, file, b);
    } finally {
      store.close();
    }
  }
  if (ctx.json) ctx.out(JSON.stringify({ file, sha256: b.sha256, dir: b.dir, triggersDir: b.triggersDir, signer: b.signer }, null, 2));
  else ctx.out(`imported ${file} into ${b.dir} (trigger set ${b.triggersDir}); ${b.signer.note}`);
  return 0;
}
