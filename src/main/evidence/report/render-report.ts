/**
 * renderReport: a validated ReportModel → an A4 PDF evidence report (pdfkit), written atomically.
 *
 * Deterministic: the PDF's dates come from model.generatedAt, its file ID is pdfkit's hash of the
 * info dictionary (so of the model), font subsets are tagged from the font's position, images are
 * PNGs made with fixed options, and nothing reads the clock or a random source. The same model
 * therefore gives the same bytes, and the returned sha256 identifies the report.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import PDFDocument from 'pdfkit';
import { fontPaths, registerFonts } from './fonts.ts';
import { MARGIN, ReportWriter } from './layout.ts';
import { parseReportModel, type ReportModel, type ReportModelInput } from './report-model.ts';
import { coverPage, methodSection, parametersSection, verdictHeadline, verdictSection } from './sections-front.ts';
import { chartsSection, exhibitsSection, queriesSection, reproducibilitySection, thumbnailsSection } from './sections-evidence.ts';
import { appendixSection } from './sections-appendix.ts';

export interface RenderOptions {
  /** Most trigger thumbnail pairs drawn (default 12); the report says how many of how many. */
  maxThumbnails?: number;
  /** Where DejaVuSans*.ttf live (default: resources/fonts of this checkout). */
  fontDir?: string;
}

export interface RenderedReport {
  file: string;
  pages: number;
  sha256: string;
}

/** Renders to bytes without touching the file system (besides reading the fonts). */
export async function renderReportBytes(input: ReportModelInput, opts: RenderOptions = {}): Promise<{ bytes: Buffer; pages: number; model: ReportModel }> {
  const m = parseReportModel(input);
  const fonts = fontPaths(opts.fontDir);
  const created = new Date(m.generatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'en',
    displayTitle: true,
    font: fonts.sans,
    info: {
      Title: `Evidence report: ${m.case.name} (case ${m.case.id})`,
      Subject: verdictHeadline(m.verdict, m.run.level),
      Keywords: `provenant; model ownership; ${m.run.method}; case ${m.case.id}; run ${m.run.id}`,
      Creator: `Provenant ${m.producer.provenant}`,
      Producer: `Provenant ${m.producer.provenant} (PDFKit)`,
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((res, rej) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => res());
    doc.on('error', rej);
  });
  const w = new ReportWriter(doc, registerFonts(doc, fonts));
  coverPage(w, m);
  w.newPage();
  verdictSection(w, m);
  methodSection(w, m);
  parametersSection(w, m);
  exhibitsSection(w, m);
  chartsSection(w, m);
  thumbnailsSection(w, m, opts.maxThumbnails ?? 12);
  queriesSection(w, m);
  reproducibilitySection(w, m);
  appendixSection(w, m);
  const pages = w.footers((i, n) => `Provenant evidence report · case ${m.case.id} · run ${m.run.id} · page ${i} of ${n}`);
  doc.end();
  await done;
  return { bytes: Buffer.concat(chunks), pages, model: m };
}

/** Validates `model` (ReportModelError names the field at fault), renders it and writes `out` atomically. */
export async function renderReport(model: ReportModelInput, out: string, opts: RenderOptions = {}): Promise<RenderedReport> {
  const { bytes, pages } = await renderReportBytes(model, opts);
  const file = resolve(out);
  await mkdir(dirname(file), { recursive: true });
  // Write beside the target and rename: a reader never sees half a report.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { file, pages, sha256: createHash('sha256').update(bytes).digest('hex') };
}
