/**
 * The PDF as a reader and a text search see it: pdftotext (poppler-utils, as in Debian and CI)
 * must find the verdict, the p-value as printed, every hash and the replay command; page 1 is
 * rendered with pdftoppm and kept as a test artefact (tests/artifacts/report-page1.png); a long
 * model paginates with every word inside the page's content box; two renders are byte-identical.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../../../src/main/evidence/report/render-report.ts';
import { formatP } from '../../../../src/main/evidence/report/format.ts';
import { FOOTER_Y, MARGIN, PAGE } from '../../../../src/main/evidence/report/layout.ts';
import { fixtureModel } from './report-fixture.ts';

const hasPoppler = spawnSync('pdftotext', ['-v']).error === undefined && spawnSync('pdftoppm', ['-v']).error === undefined;
const inCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const ARTIFACT = resolve(import.meta.dirname, '../../../artifacts/report-page1.png');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}
const pdftotext = (file: string) => run('pdftotext', ['-enc', 'UTF-8', file, '-']);
const squash = (s: string) => s.replace(/\s+/g, ' ');

if (!hasPoppler && inCI) {
  describe('PDF report (poppler-utils)', () => {
    it('has pdftotext and pdftoppm in CI', () => {
      throw new Error('pdftotext/pdftoppm not found: CI must install poppler-utils (.ci/run does); the PDF report tests are never skipped in CI');
    });
  });
}
if (!hasPoppler && !inCI) console.warn('PDF report tests SKIPPED: pdftotext/pdftoppm not found (install poppler-utils)');

describe.skipIf(!hasPoppler)(`PDF evidence report${hasPoppler ? '' : ' (SKIPPED: pdftotext/pdftoppm not found, install poppler-utils)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says the verdict, the p-value as printed, every hash and the replay command, in extractable text', async () => {
    const model = fixtureModel();
    const out = await renderReport(model, join(dir, 'report.pdf'));
    const bytes = readFileSync(out.file);
    expect(out.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(run('pdfinfo', [out.file])).toMatch(new RegExp(`Pages:\\s+${out.pages}\\n`));
    const text = pdftotext(out.file);
    const flat = squash(text);
    // The verdict, and the false-accusation probability as the report prints it, with how it was measured.
    expect(flat).toContain('DERIVED: the suspect model is derived from the source model');
    expect(model.verdict.supportedBy).toBe('parametric-tail');
    const p = formatP(model.verdict.pParametric!);
    expect(p).toMatch(/× 10⁻/);
    expect(flat).toContain(`Probability of a false accusation: ${p}`);
    expect(flat).toContain(`False-accusation probability ${p}`);
    expect(flat).toContain('The parametric tail carries this decision');
    expect(flat).toContain(`Empirical p-value ${formatP(model.verdict.pEmpirical)}`);
    expect(flat).toContain(String(model.verdict.pParametric)); // exact, in the appendix
    // Every hash whole on one line (never cut): exhibits, suspect, trigger set, bundle, signer.
    const hashes = [...model.exhibits.map((e) => e.sha256).filter((h): h is string => Boolean(h)), model.suspect.sha256!, model.triggerSet.sha256, model.reproducibility.bundle!.sha256, model.reproducibility.bundle!.signerFingerprint];
    expect(hashes).toHaveLength(8);
    for (const h of hashes) expect(text).toContain(h);
    expect(text).toContain(model.reproducibility.replayCommand!);
    // Unicode through the embedded font, the method and its paper, the thumbnails and charts' words.
    expect(text).toContain('Łukasz Wójcik');
    expect(flat).toContain('IPGuard');
    expect(flat).toContain('AsiaCCS 2021');
    expect(flat).toContain('original not kept');
    expect(flat).toContain('suspect 0.930');
    expect(flat).toContain('AUC 0.982');
    expect(flat).toContain('60 negative-060-lenet-seed159 0.16 16');
    // The footer: case id and page i of n on every page.
    for (let i = 1; i <= out.pages; i++) expect(flat).toContain(`case ${model.case.id} · run run-0003 · page ${i} of ${out.pages}`);
  });

  it('renders the same bytes twice; the dates come from the model', async () => {
    const a = await renderReport(fixtureModel(), join(dir, 'a.pdf'));
    const b = await renderReport(fixtureModel(), join(dir, 'b.pdf'));
    expect(readFileSync(b.file).equals(readFileSync(a.file))).toBe(true);
    expect(b.sha256).toBe(a.sha256);
    expect(run('pdfinfo', ['-isodates', a.file])).toMatch(/CreationDate:\s+2025-11-22T14:05:00Z/);
    const later = await renderReport({ ...fixtureModel(), generatedAt: '2025-11-23T09:00:00Z' }, join(dir, 'c.pdf'));
    expect(later.sha256).not.toBe(a.sha256);
  });

  it('keeps page 1 as a PNG artefact, and it is not blank', async () => {
    const out = await renderReport(fixtureModel(), join(dir, 'page1.pdf'));
    mkdirSync(resolve(ARTIFACT, '..'), { recursive: true });
    rmSync(ARTIFACT, { force: true });
    run('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', out.file, ARTIFACT.replace(/\.png$/, '')]);
    expect(statSync(ARTIFACT).size).toBeGreaterThan(10_000);
    const img = PNG.sync.read(readFileSync(ARTIFACT));
    expect([img.width, img.height]).toEqual([Math.ceil((PAGE.width * 100) / 72), Math.ceil((PAGE.height * 100) / 72)]);
    let dark = 0;
    let red = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      if (r + g + b < 300) dark++;
      if (r > 150 && g < 90 && b < 90) red++;
    }
    const total = img.width * img.height;
    expect(dark / total).toBeGreaterThan(0.01); // text is there
    expect(dark / total).toBeLessThan(0.3); // and it is not a black page
    expect(red).toBeGreaterThan(200); // the verdict box of a "derived" decision
  });

  it('paginates a long model (100 innocent models, > 300 appendix rows) with every word inside the page', async () => {
    const model = fixtureModel({ nullModels: 100, extraParams: 200, triggers: 1000, suspectMatches: 930 });
    const out = await renderReport(model, join(dir, 'long.pdf'));
    expect(out.pages).toBeGreaterThan(12);
    const flat = squash(pdftotext(out.file));
    expect(flat).toContain('100 negative-100-cnn-seed199');
    expect(flat).toContain('param extra199');
    expect(flat).toContain('975–999');
    expect(flat).toContain('seed null-suite 1234');
    expect(flat).toContain(`page ${out.pages} of ${out.pages}`);
    // Every word lies in the content box, or in the footer band below it.
    const bbox = run('pdftotext', ['-bbox', out.file, '-']);
    const words = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)];
    expect(words.length).toBeGreaterThan(3000);
    const outside = words.filter((w) => {
      const [x0, y0, x1, y1] = w.slice(1, 5).map(Number);
      const inFooter = y0 >= FOOTER_Y - 2 && y1 <= PAGE.height - 20;
      const inBox = x0 >= MARGIN.left - 1 && x1 <= PAGE.width - MARGIN.right + 1 && y0 >= MARGIN.top - 12 && y1 <= PAGE.height - MARGIN.bottom + 2;
      return !(inBox || (inFooter && x0 >= MARGIN.left - 1 && x1 <= PAGE.width - MARGIN.right + 1));
    });
    expect(outside.map((w) => `${w[5]} @ ${w.slice(1, 5).join(',')}`)).toEqual([]);
    // The check is not vacuous: the footer words were found in their band, the rest in the box.
    expect(words.filter((w) => Number(w[2]) >= FOOTER_Y - 2).length).toBeGreaterThanOrEqual(out.pages * 10);
  });

  it('says so when the ROC, the bundle or the verdict is missing', async () => {
    const notDerived = await renderReport(fixtureModel({ suspectMatches: 20, roc: false, bundle: false }), join(dir, 'nd.pdf'));
    const flat = squash(pdftotext(notDerived.file));
    expect(flat).toContain('NOT SHOWN TO BE DERIVED');
    expect(flat).toContain('Not included: the trigger set was not evaluated on a calibration suite');
    expect(flat).toContain('No signed bundle was exported for this run');
    const tiny = await renderReport(fixtureModel({ nullModels: 5 }), join(dir, 'tiny.pdf'));
    expect(squash(pdftotext(tiny.file))).toContain('NO VERDICT: too few innocent models (5)');
  });
});
