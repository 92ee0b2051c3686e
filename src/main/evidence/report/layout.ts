/**
 * A thin writer over a pdfkit document: A4 geometry, headings, paragraphs, key/value rows and
 * tables that paginate (a row never straddles a page; a table's header is repeated on the next
 * page), and the footer pass. Everything is placed with explicit coordinates inside the content box
 * so nothing can run into the margins; long unbroken strings (hashes, paths) are wrapped by pdfkit
 * character by character, never cut.
 */
import type { Doc, FontName } from './fonts.ts';

/** A4 in points, and the margins (the bottom one leaves room for the footer). */
export const PAGE = { width: 595.28, height: 841.89 } as const;
export const MARGIN = { top: 56, bottom: 64, left: 56, right: 56 } as const;
/** Baseline band of the footer, inside the bottom margin. */
export const FOOTER_Y = PAGE.height - 40;

export const INK = '#111111';
export const MUTED = '#555555';
export const RULE = '#bbbbbb';
export const SHADE = '#eeeeee';

export const BODY_SIZE = 9.5;
const LINE_GAP = 1.5;

export interface TextStyle {
  font?: FontName;
  size?: number;
  color?: string;
}

export interface Column {
  header: string;
  /** Points; the last column takes what is left when omitted. */
  width?: number;
  align?: 'left' | 'right';
  font?: FontName;
}

export interface KeyValue {
  key: string;
  value: string;
  /** Hashes, commands, paths: monospace. */
  mono?: boolean;
}

export class ReportWriter {
  readonly left = MARGIN.left;
  readonly width = PAGE.width - MARGIN.left - MARGIN.right;

  /** fonts: the doc.font() key of each font name (registerFonts). */
  constructor(
    readonly doc: Doc,
    private readonly fonts: Record<FontName, string>,
  ) {}

  get y(): number {
    return this.doc.y;
  }

  set y(v: number) {
    this.doc.y = v;
  }

  /** The lowest y content may reach on this page. */
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  get pageHeight(): number {
    return this.bottom - MARGIN.top;
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = this.left;
  }

  /** Starts a new page when fewer than `h` points remain on this one. */
  ensure(h: number): void {
    if (this.doc.y + h > this.bottom) this.newPage();
  }

  gap(points: number): void {
    this.doc.y = Math.min(this.doc.y + points, this.bottom);
  }

  style(s: TextStyle = {}): this {
    this.doc.font(this.fonts[s.font ?? 'sans']).fontSize(s.size ?? BODY_SIZE).fillColor(s.color ?? INK);
    return this;
  }

  heightOf(text: string, width: number, s: TextStyle = {}): number {
    this.style(s);
    return this.doc.heightOfString(text, { width, lineGap: LINE_GAP });
  }

  /** A section heading, kept on the same page as at least `keep` points of what follows. */
  heading(text: string, level: 1 | 2 = 1, keep = 60): void {
    const size = level === 1 ? 14 : 11;
    if (this.doc.y > MARGIN.top) this.gap(level === 1 ? 14 : 8);
    this.ensure(size * 1.5 + keep);
    this.style({ font: 'bold', size }).doc.text(text, this.left, this.doc.y, { width: this.width });
    if (level === 1) {
      const y = this.doc.y + 2;
      this.doc.moveTo(this.left, y).lineTo(this.left + this.width, y).lineWidth(0.6).strokeColor(RULE).stroke();
      this.doc.y = y + 6;
    } else {
      this.doc.y += 3;
    }
  }

  /** Flowing text; pdfkit continues it on the next page when it is long. */
  paragraph(text: string, s: TextStyle & { gapAfter?: number; indent?: number } = {}): void {
    const indent = s.indent ?? 0;
    this.ensure(Math.min(this.heightOf(text, this.width - indent, s), 3 * (s.size ?? BODY_SIZE)));
    this.style(s).doc.text(text, this.left + indent, this.doc.y, { width: this.width - indent, lineGap: LINE_GAP });
    this.doc.x = this.left;
    this.gap(s.gapAfter ?? 5);
  }

  /**
   * Label/value rows. A row taller than a page (a huge parameter value) is written as the label
   * followed by flowing text, so nothing is ever clipped.
   */
  keyValues(rows: KeyValue[], keyWidth = 150): void {
    const valueX = this.left + keyWidth;
    const valueWidth = this.width - keyWidth;
    for (const r of rows) {
      const valueStyle: TextStyle = r.mono ? { font: 'mono', size: 8.5 } : {};
      const h = Math.max(this.heightOf(r.key, keyWidth - 8, { color: MUTED }), this.heightOf(r.value, valueWidth, valueStyle)) + 3;
      if (h > this.pageHeight / 2) {
        this.paragraph(r.key, { color: MUTED, gapAfter: 1 });
        this.paragraph(r.value, { ...valueStyle, indent: 12 });
        continue;
      }
      this.ensure(h);
      const y = this.doc.y;
      this.style({ color: MUTED }).doc.text(r.key, this.left, y, { width: keyWidth - 8, lineGap: LINE_GAP });
      this.style(valueStyle).doc.text(r.value, valueX, y, { width: valueWidth, lineGap: LINE_GAP });
      this.doc.x = this.left;
      this.doc.y = y + h;
    }
    this.gap(4);
  }

  /** A table; rows never straddle pages and the header repeats after each page break. */
  table(columns: Column[], rows: string[][], s: { size?: number } = {}): void {
    const size = s.size ?? 8.5;
    const fixed = columns.reduce((a, c) => a + (c.width ?? 0), 0);
    const widths = columns.map((c) => c.width ?? this.width - fixed);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const pad = 3;
    const cellStyle = (c: Column, header: boolean): TextStyle => ({ font: header ? 'bold' : (c.font ?? 'sans'), size });
    const rowHeight = (cells: string[], header: boolean) =>
      Math.max(...cells.map((t, i) => this.heightOf(t, widths[i] - 2 * pad, cellStyle(columns[i], header)))) + 2 * pad;
    const drawRow = (cells: string[], header: boolean, shade: boolean) => {
      const h = rowHeight(cells, header);
      const y = this.doc.y;
      if (header || shade) this.doc.rect(this.left, y, this.width, h).fillColor(header ? '#dddddd' : SHADE).fill();
      cells.forEach((t, i) => {
        const c = columns[i];
        this.style(cellStyle(c, header)).doc.text(t, xs[i] + pad, y + pad, { width: widths[i] - 2 * pad, lineGap: LINE_GAP, align: c.align ?? 'left' });
      });
      this.doc.x = this.left;
      this.doc.y = y + h;
    };
    const header = columns.map((c) => c.header);
    this.ensure(rowHeight(header, true) + (rows.length ? rowHeight(rows[0], false) : 0));
    drawRow(header, true, false);
    rows.forEach((r, i) => {
      const h = rowHeight(r, false);
      if (this.doc.y + h > this.bottom) {
        this.newPage();
        drawRow(header, true, false);
      }
      drawRow(r, false, i % 2 === 1);
    });
    this.gap(6);
  }

  /** Page footers: case id and "page i of n" on every page (needs bufferPages). */
  footers(text: (page: number, pages: number) => string): number {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      // Writing inside the bottom margin: lift the margin for the duration, or pdfkit adds a page.
      const saved = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.doc.moveTo(this.left, FOOTER_Y - 6).lineTo(this.left + this.width, FOOTER_Y - 6).lineWidth(0.4).strokeColor(RULE).stroke();
      this.style({ size: 7.5, color: MUTED }).doc.text(text(i + 1, range.count), this.left, FOOTER_Y, { width: this.width, align: 'center', lineBreak: false });
      this.doc.page.margins.bottom = saved;
    }
    return range.count;
  }
}
