/** Bundle round trip, what exactly is signed (checked with openssl), and each refusal's message. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTriggerSet, type SavedTriggerSet } from '../../../../src/main/engine/methods/trigger-set-io.ts';
import type { VerifyComplete } from '../../../../src/main/engine/verify/verify-job.ts';
import { encodeBundle, type BundleEntry } from '../../../../src/main/evidence/bundle/container.ts';
import { BundleError, exportBundle, generateSigningKey, importBundle, verifyBundle, type SigningKey } from '../../../../src/main/evidence/bundle/index.ts';
import { fakeResult, savedFakeSet } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'provenant-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = (() => { try { execFileSync('bash', ['-c', 'command -v openssl && command -v jq']); return true; } catch { return false; } })(); // prettier-ignore

let key: SigningKey;
let other: SigningKey;
let triggersDir: string;
let saved: SavedTriggerSet;
let result: VerifyComplete;
let bundle: string;
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);

beforeAll(async () => {
  key = await generateSigningKey(join(dir, 'owner.key'));
  other = await generateSigningKey(join(dir, 'other.key'));
  ({ saved, dir: triggersDir } = await savedFakeSet(dir, 6));
  result = fakeResult(saved, 6, 6);
  bundle = (await exportBundle({ result, triggersDir, key, out: join(dir, 'case.pvb'), caseId: 'case-1', runId: 'run-9' })).file;
});

/** Re-assembles the bundle's entries, optionally changed, signed by `k`. */
async function rebuilt(change: (entries: BundleEntry[]) => BundleEntry[], k: SigningKey = key): Promise<string> {
  const v = await verifyBundle(bundle);
  const entries = [...v.entries].map(([path, bytes]) => ({ path, bytes: Uint8Array.from(bytes) }));
  const file = fresh('rebuilt.pvb');
  writeFileSync(file, encodeBundle(change(entries), k));
  return file;
}

describe('export and import', () => {
  it('round trip: the manifest, the trigger set (same id), the signer', async () => {
    expect(result.verdict.decision).toBe('derived');
    const out = fresh('import');
    const imp = await importBundle(bundle, { out, trust: [key.fingerprint] });
    expect(imp.signer).toMatchObject({ fingerprint: key.fingerprint, trusted: true });
    expect(imp.sha256).toBe(createHash('sha256').update(readFileSync(bundle)).digest('hex'));
    const { set, saved: back } = await readTriggerSet(imp.triggersDir);
    expect(back.sha256).toBe(saved.sha256);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'triggers']);
    const m = imp.manifest;
    expect(m).toMatchObject({ format: 'provenant-bundle/1', method: 'ipguard', seed: set.seed, caseId: 'case-1', runId: 'run-9', producer: { name: 'provenant' } });
    expect(m.expectedOutputs).toEqual(Array.from(set.labels));
    expect(m.triggers).toMatchObject({ sha256: saved.sha256, count: 6, inputShape: [4, 4, 1], numClasses: 3, files: saved.files });
    expect(m.nullCalibration.models).toEqual(result.nullScores);
    expect(m.nullCalibration.model).toEqual(result.verdict.model);
    expect(m.decisionRule).toMatchObject({ level: result.verdict.level, minNull: 20 });
    // Bit for bit: the numbers come back as the same doubles.
    for (const k of ['pEmpirical', 'pParametric', 'decision', 'explanation'] as const) expect(Object.is(m.original[k], result.verdict[k])).toBe(true);
    expect(m.original).toMatchObject({ score: 1, matches: 6, trials: 6, queriesNeeded: 6, labelsOnly: true });
    expect(m.suspect).toEqual({ identity: result.suspect.identity, kind: 'model-dir', location: '/evidence/suspect', sha256: 'b'.repeat(64), describe: 'model suspect' });
    // The manifest on disk is the signed one, byte for byte.
    expect(readFileSync(join(out, 'manifest.json'))).toEqual(Buffer.from((await verifyBundle(bundle)).entries.get('manifest.json')!));
  });

  it('an unknown signer is reported, and refused when trust is required', async () => {
    expect((await verifyBundle(bundle)).signer).toMatchObject({ trusted: false, note: expect.stringMatching(/no trusted keys were given/) });
    expect((await verifyBundle(bundle, { trust: [other.fingerprint] })).signer.note).toMatch(/NOT among the 1 trusted key/);
    expect((await verifyBundle(bundle, { trust: [key.fingerprint.toUpperCase()] })).signer.trusted).toBe(true);
    await expect(verifyBundle(bundle, { trust: [other.fingerprint], requireTrusted: true })).rejects.toThrow(/signature\.fingerprint: signed by key [0-9a-f]{64}, which is NOT among/);
    await expect(verifyBundle(bundle, { trust: ['abc'] })).rejects.toThrow(/trust: "abc" is not a 64-hex-digit key fingerprint/);
    const resigned = await rebuilt((e) => e, other);
    const v = await verifyBundle(resigned, { trust: [key.fingerprint] });
    expect(v.signer).toMatchObject({ fingerprint: other.fingerprint, trusted: false });
  });

  it.skipIf(!tools)('a third party verifies the signature and the fingerprint with openssl and jq (the documented recipe)', () => {
    const script = `set -euo pipefail; cd "${dir}"; B="${bundle}"
      tail -n 1 "$B" > sig.json
      jq -r .publicKey sig.json > signer.pem
      jq -r .signature sig.json | base64 -d > sig.bin
      head -c "$(jq -r .signedBytes sig.json)" "$B" > signed.bin
      openssl pkeyutl -verify -pubin -inkey signer.pem -rawin -in signed.bin -sigfile sig.bin
      openssl pkey -pubin -in signer.pem -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1
      printf 'X' | dd of=signed.bin bs=1 seek=40 conv=notrunc 2>/dev/null
      openssl pkeyutl -verify -pubin -inkey signer.pem -rawin -in signed.bin -sigfile sig.bin || echo REFUSED`;
    const out = execFileSync('bash', ['-c', script]).toString();
    expect(out).toMatch(/Signature Verified Successfully/);
    expect(out).toContain(key.fingerprint);
    expect(out).toMatch(/REFUSED/);
  });

  it.skipIf(!tools)('the documented shell recipe checks every entry against the index', () => {
    const check = (file: string) => execFileSync('bash', ['-c', `set -eu; B="${file}"; cd "${dir}"
      L=$((10#$(head -c 29 "$B" | tail -c 10)))
      head -c $((30 + L)) "$B" | tail -c "$L" > index.json
      off=$((30 + L))
      jq -r '.entries[] | "\\(.size) \\(.sha256) \\(.path)"' index.json | while read -r size sha path; do
        got=$(tail -c +$((off + 1)) "$B" | head -c "$size" | sha256sum | cut -d' ' -f1)
        if [ "$got" = "$sha" ]; then echo "OK $path"; else echo "ALTERED $path"; fi
        off=$((off + size))
      done`]).toString().trim().split('\n');
    const lines = check(bundle);
    expect(lines.length).toBe(saved.files.length + 2);
    expect(lines.every((l) => l.startsWith('OK '))).toBe(true);
    const b = readFileSync(bundle);
    b[b.length - 400] ^= 0x20;
    const bad = fresh('altered.pvb');
    writeFileSync(bad, b);
    expect(check(bad).filter((l) => l.startsWith('ALTERED'))).toHaveLength(1);
  });

  it('export refuses partial results, another trigger set, an existing file and a result its null contradicts', async () => {
    const partial = { ...result, status: 'partial', reason: 'budget' } as unknown as VerifyComplete;
    await expect(exportBundle({ result: partial, triggersDir, key, out: fresh('p.pvb') })).rejects.toThrow(/only a complete verification can be bundled/);
    const otherSet = await savedFakeSet(dir, 6, 2);
    await expect(exportBundle({ result, triggersDir: otherSet.dir, key, out: fresh('o.pvb') })).rejects.toThrow(/is not the one the result was computed with/);
    await expect(exportBundle({ result, triggersDir, key, out: bundle })).rejects.toThrow(/already exists; refusing to overwrite a bundle/);
    const forged = { ...result, verdict: { ...result.verdict, pParametric: 1e-9 } };
    await expect(exportBundle({ result: forged, triggersDir, key, out: fresh('f.pvb') })).rejects.toThrow(/pParametric .* does not follow from its own null and rule/);
    expect(readdirSync(dir).filter((f) => f.includes('bundle-tmp'))).toEqual([]);
  });

  it('import refuses a non-empty output directory before reading, and never leaves a temp directory', async () => {
    const out = fresh('busy');
    mkdirSync(out);
    writeFileSync(join(out, 'x'), '');
    await expect(importBundle(bundle, { out })).rejects.toThrow(/out: .* exists and is not empty/);
    const empty = fresh('empty');
    mkdirSync(empty);
    expect((await importBundle(bundle, { out: empty })).triggersDir).toBe(join(empty, 'triggers'));
  });
});

describe('refusals name the bundle and the field', () => {
  const refused = async (file: string, field: RegExp) => {
    const parent = fresh('parent');
    mkdirSync(parent);
    const err = await importBundle(file, { out: join(parent, 'out') }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).bundle).toBe(file);
    expect((err as BundleError).field).toMatch(field);
    expect(readdirSync(parent)).toEqual([]);
    return (err as BundleError).message;
  };
  const bytes = () => readFileSync(bundle);
  const write = (b: Uint8Array) => { const f = fresh('bad.pvb'); writeFileSync(f, b); return f; }; // prettier-ignore

  it('magic and version', async () => {
    expect(await refused(write(Buffer.from('PK\x03\x04 not a bundle')), /^magic$/)).toMatch(/not a Provenant bundle/);
    expect(await refused(write(Buffer.concat([Buffer.from('provenant-bundle/2\n'), bytes().subarray(19)])), /^magic$/)).toMatch(/unsupported bundle version "provenant-bundle\/2"/);
  });

  it('truncation and trailing bytes', async () => {
    const b = bytes();
    expect(await refused(write(b.subarray(0, 25)), /^index length$/)).toMatch(/truncated/);
    expect(await refused(write(b.subarray(0, 100)), /^index$/)).toMatch(/truncated/);
    expect(await refused(write(b.subarray(0, b.length - 200)), /size$|^signature/)).toMatch(/truncated|past the end/);
    expect(await refused(write(Buffer.concat([b, Buffer.from('extra')])), /^signature$/)).toMatch(/unexpected bytes after the signature block/);
  });

  it('altered entries, manifest and signature', async () => {
    const b = Buffer.from(bytes());
    const at = b.length - 400; // inside the last trigger file
    b[at] ^= 0x20;
    expect(await refused(write(b), /^index\.entries\[\d+\]\.sha256$/)).toMatch(/SHA-256 [0-9a-f]{64} does not match the index .*: the entry was altered/);
    const c = Buffer.from(bytes());
    const m = c.indexOf('"seed"');
    c[m + 9] ^= 0x01;
    expect(await refused(write(c), /^signature\.signature$/)).toMatch(/does not verify with the enclosed key/);
  });

  it('path traversal, absolute paths, unexpected names and duplicates, even when validly signed', async () => {
    for (const [path, why] of [['../evil', /'\.\.'/], ['/etc/passwd', /absolute path/], ['triggers/../../x', /'\.\.'/], ['triggers\\x', /backslash/], ['triggers/a\0b', /NUL/], ['triggers/run.sh', /not a name a bundle holds/], ['C:/x', /absolute/]] as const) {
      const f = await rebuilt((e) => [...e, { path, bytes: new Uint8Array([1]) }]);
      expect(await refused(f, /^index\.entries\[\d+\]\.path$/)).toMatch(why);
    }
    const dup = await rebuilt((e) => [...e, e[3]]);
    expect(await refused(dup, /^index\.entries\[\d+\]\.path$/)).toMatch(/is listed twice/);
    const unlisted = await rebuilt((e) => [...e, { path: 'triggers/aux-extra.f32', bytes: new Uint8Array(4) }]);
    expect(await refused(unlisted, /^index\.entries\[\d+\]\.path$/)).toMatch(/not listed in manifest\.triggers\.files/);
    const missing = await rebuilt((e) => e.filter((x) => x.path !== 'triggers/labels.i32'));
    expect(await refused(missing, /^manifest\.triggers\.files\[\d+\]$/)).toMatch(/missing from the bundle/);
  });

  it('manifest schema, with the field named', async () => {
    const edit = (f: (m: Record<string, any>) => void) =>
      rebuilt((e) => {
        const m = JSON.parse(Buffer.from(e[0].bytes).toString());
        f(m);
        return [{ path: 'manifest.json', bytes: Buffer.from(JSON.stringify(m)) }, ...e.slice(1)];
      });
    expect(await refused(await edit((m) => (m.original.score = '1')), /^manifest\.original\.score$/)).toMatch(/expected number/i);
    expect(await refused(await edit((m) => (m.seed = 1.5)), /^manifest\.seed$/)).toBeTruthy();
    expect(await refused(await edit((m) => (m.method = 'magic')), /^manifest\.method$/)).toBeTruthy();
    expect(await refused(await edit((m) => (m.secret = 'x')), /^manifest$/)).toMatch(/secret/);
    expect(await refused(await edit((m) => m.expectedOutputs.pop()), /^manifest\.expectedOutputs$/)).toMatch(/5 outputs for 6 triggers/);
    expect(await refused(await edit((m) => (m.expectedOutputs[0] = (m.expectedOutputs[0] + 1) % 3)), /^manifest\.expectedOutputs\[0\]$/)).toMatch(/labels\.i32 holds/);
    expect(await refused(await edit((m) => (m.seed = 99)), /^manifest\.seed$/)).toMatch(/differs from triggers\/triggers\.json/);
    expect(await refused(await edit((m) => (m.triggers.sha256 = 'c'.repeat(64))), /^manifest\.triggers\.sha256$/)).toMatch(/is not the SHA-256 of triggers\/SHA256SUMS/);
    // Validly signed, well typed, but contradicting its own null: refused where it follows by definition.
    expect(await refused(await edit((m) => (m.original.nullMax = 0.1)), /^manifest\.original\.nullMax$/)).toMatch(/but the highest null score is/);
    expect(await refused(await edit((m) => (m.original.pEmpirical = 0.5)), /^manifest\.original\.pEmpirical$/)).toMatch(/\(1 \+ #\{null ≥ score\}\)\/\(N \+ 1\) = 0\.04/);
    expect(await refused(await edit((m) => (m.decisionRule.minNull = 30)), /^manifest\.original\.decision$/)).toMatch(/derived with 24 null models and a minimum of 30/);
    expect(await refused(await edit((m) => (m.original.matches = 5)), /^manifest\.original\.score$/)).toMatch(/1 is not 5\/6/);
  });

  it('a missing file and oversized declarations', async () => {
    expect(await refused(join(dir, 'nope.pvb'), /^file$/)).toMatch(/no such file/);
    const b = Buffer.from(bytes());
    b.write('9999999999', 19, 'latin1');
    expect(await refused(write(b), /^index length$/)).toMatch(/declared 9999999999 bytes, more than the limit/);
    const v = await verifyBundle(bundle);
    const entries = [...v.entries].map(([path, bytes]) => ({ path, bytes }));
    const huge = fresh('huge.pvb');
    writeFileSync(huge, encodeBundle(entries, key, (idx) => ({ format: 'provenant-bundle/1', entries: idx.map((e, i) => (i === 2 ? { ...e, size: 2 ** 27 } : e)) })));
    expect(await refused(huge, /^index\.entries\[2\]\.size$/)).toMatch(/past the end of the file/);
  });

  it('a consistently re-hashed but broken trigger set passes the in-memory checks, fails readTriggerSet, and leaves nothing', async () => {
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const f = await rebuilt((e) => {
      const get = (p: string) => e.find((x) => x.path === p)!;
      const tj = JSON.parse(Buffer.from(get('triggers/triggers.json').bytes).toString());
      tj.arrays.aux.loss.sha256 = '0'.repeat(64); // the aux file no longer matches its listed hash
      get('triggers/triggers.json').bytes = Buffer.from(JSON.stringify(tj, null, 2) + '\n');
      const m = JSON.parse(Buffer.from(e[0].bytes).toString());
      m.triggers.files = m.triggers.files.map((x: { file: string }) => {
        const b = get(`triggers/${x.file}`).bytes;
        return { ...x, bytes: b.byteLength, sha256: sha(b) };
      });
      const sums = Buffer.from(m.triggers.files.map((x: { file: string; sha256: string }) => `${x.sha256}  ${x.file}\n`).join(''));
      get('triggers/SHA256SUMS').bytes = sums;
      m.triggers.sha256 = sha(sums);
      e[0] = { path: 'manifest.json', bytes: Buffer.from(JSON.stringify(m)) };
      return e;
    });
    await expect(verifyBundle(f)).resolves.toBeTruthy();
    const msg = await refused(f, /^triggers$/);
    expect(msg).toMatch(/aux-loss\.f32: sha256 .* does not match/);
    expect(msg).not.toMatch(/\.tmp-/);
  });
});
