import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { exact, formatBytes, formatP, formatUtc, oneIn } from '../../../../src/main/evidence/report/format.ts';
import { histogram } from '../../../../src/main/evidence/report/charts.ts';
import { flagRows } from '../../../../src/main/evidence/report/sections-appendix.ts';
import { pixelsToPng, upscaleFactor } from '../../../../src/main/evidence/report/thumbnails.ts';
import { METHOD_TEXTS } from '../../../../src/main/evidence/report/method-texts.ts';
import { METHOD_IDS } from '../../../../src/main/engine/methods/types.ts';

describe('report formatting', () => {
  it('prints probabilities with 3 significant digits, scientific below 1e-4', () => {
    expect(formatP(0.0163934426)).toBe('0.0164');
    expect(formatP(0.001)).toBe('0.001');
    expect(formatP(1)).toBe('1');
    expect(formatP(4.5854e-29)).toBe('4.59 × 10⁻²⁹');
    expect(formatP(2e-5)).toBe('2.00 × 10⁻⁵');
    expect(formatP(null)).toBe('n/a');
    expect(formatP(0)).toBe('0');
  });

  it('reads small probabilities as "1 in N" and leaves large ones alone', () => {
    expect(oneIn(0.001)).toBe('about 1 in 1,000');
    expect(oneIn(3.2e-7)).toBe('about 1 in 3,100,000');
    expect(oneIn(4.6e-29)).toBe('about 1 in 2.2 × 10²⁸');
    expect(oneIn(0.5)).toBe('');
    expect(oneIn(null)).toBe('');
  });

  it('keeps exact values exact and times in UTC', () => {
    expect(Number(exact(0.1 + 0.2))).toBe(0.1 + 0.2);
    expect(exact(-0)).toBe('0');
    expect(formatUtc('2025-11-22T15:05:00+01:00')).toBe('2025-11-22 14:05:00 UTC');
    expect(formatBytes(47_040_016)).toBe('47,040,016 bytes (47.0 MB)');
    expect(formatBytes(null)).toBe('no file');
  });
});

describe('report parts', () => {
  it('has a text, a paper and a decision doc for every method id', () => {
    for (const id of METHOD_IDS) {
      expect(METHOD_TEXTS[id].text.length).toBeGreaterThan(100);
      expect(METHOD_TEXTS[id].paper).toMatch(/20\d\d/);
      expect(METHOD_TEXTS[id].doc).toMatch(/^docs\/decisions\/methods-.*\.md$/);
    }
  });

  it('bins scores over [0,1], a score of 1 in the last bin, out-of-range scores clamped', () => {
    expect(histogram([0, 0.04, 0.05, 0.99, 1, 1.2, -0.1], 20)).toEqual([3, 1, ...new Array(17).fill(0), 3]);
  });

  it('splits match flags into padded rows of 25', () => {
    const rows = flagRows(Array.from({ length: 1001 }, (_, i) => i % 2));
    expect(rows).toHaveLength(41);
    expect(rows[0]).toEqual(['0000–0024', '0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0']);
    expect(rows[40]).toEqual(['1000–1000', '0']);
  });

  it('makes thumbnails that decode to the same pixels, upscaled, with the same bytes every time', () => {
    const px = Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => (i % 7) / 6);
    const f = upscaleFactor(4, 3);
    expect(f).toBe(8);
    const png = pixelsToPng(px, [4, 3, 3]);
    expect(pixelsToPng(px, [4, 3, 3]).equals(png)).toBe(true);
    const img = PNG.sync.read(png);
    expect([img.width, img.height]).toEqual([3 * f, 4 * f]);
    for (const [y, x] of [[0, 0], [3, 2], [2, 1]]) {
      for (let k = 0; k < 3; k++) {
        const want = Math.round(px[(y * 3 + x) * 3 + k] * 255);
        expect(img.data[((y * f + f - 1) * img.width + x * f) * 4 + k]).toBe(want);
      }
    }
    expect(() => pixelsToPng(new Float32Array(8), [2, 2, 2])).toThrow(/1 or 3 channels/);
  });
});
