/**
 * The report's fonts: DejaVu Sans (regular, bold) and DejaVu Sans Mono, committed under
 * resources/fonts with their licence. Embedded (subset) rather than the 14 standard PDF fonts
 * because those only encode WinAnsi: no ≤, ≥, α, λ, and no Central European letters (ł, č, ő) in
 * party names. pdfkit writes a ToUnicode map for embedded fonts, so pdftotext reads the text back.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type PDFDocument from 'pdfkit';

export const FONT_FILES = { sans: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const;
export type FontName = keyof typeof FONT_FILES;

/**
 * resources/fonts of this checkout: from the sources (src/main/evidence/report → repository root)
 * or from an electron-vite bundle (out/main/chunks → repository root), whichever holds the fonts;
 * a packaged app passes its own fontDir.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_FONT_DIR =
  [resolve(here, '../../../../resources/fonts'), resolve(here, '../../../resources/fonts'), resolve(here, '../../resources/fonts')].find((d) => existsSync(join(d, FONT_FILES.sans))) ??
  resolve(here, '../../../../resources/fonts');

/** The font files in `fontDir`; a missing one is a clear error. */
export function fontPaths(fontDir: string = DEFAULT_FONT_DIR): Record<FontName, string> {
  const out = {} as Record<FontName, string>;
  for (const [name, file] of Object.entries(FONT_FILES) as [FontName, string][]) {
    out[name] = join(fontDir, file);
    if (!existsSync(out[name])) throw new Error(`report: font ${file} not found in ${fontDir} (resources/fonts; pass fontDir when running from a bundle)`);
  }
  return out;
}

/**
 * Registers 'bold' and 'mono' and returns the key to pass to doc.font() for each name. The document
 * is created with `font: paths.sans` (no unused Helvetica in the file), and 'sans' is selected by
 * that same path: pdfkit caches a font by the key it was first opened with, and an alias of an
 * already open font is re-parsed on every doc.font() call (seconds per report).
 */
export function registerFonts(doc: Doc, paths: Record<FontName, string>): Record<FontName, string> {
  doc.registerFont('bold', paths.bold);
  doc.registerFont('mono', paths.mono);
  return { sans: paths.sans, bold: 'bold', mono: 'mono' };
}

/** pdfkit's typings declare the document as a var whose type is also the instance type. */
export type Doc = typeof PDFDocument;
