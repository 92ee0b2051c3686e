/**
 * The suspect's score against the innocent null, as an inline SVG: a histogram of the null models'
 * scores, each null model as a tick below it (a strip), and the suspect's score as a labelled line.
 * Where the suspect's line falls relative to the innocent models is the whole argument of the
 * verdict, so the chart shows every null score rather than a summary.
 */
export interface NullScoreChartProps {
  nullScores: readonly { id: string; score: number }[];
  score: number;
  width?: number;
  height?: number;
}

const PAD = { left: 36, right: 16, top: 22, bottom: 44 };

export function binCounts(values: readonly number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const span = hi - lo || 1;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / span) * bins)))]++;
  return counts;
}

export function NullScoreChart({ nullScores, score, width = 560, height = 220 }: NullScoreChartProps) {
  const values = nullScores.map((s) => s.score);
  const all = [...values, score];
  // Scores of every method here are agreement rates in [0, 1]; widen only if one is outside.
  const lo = Math.min(0, ...all);
  const hi = Math.max(1, ...all);
  const bins = 20;
  const counts = binCounts(values, lo, hi, bins);
  const maxCount = Math.max(1, ...counts);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + ((v - lo) / (hi - lo)) * plotW;
  const y = (c: number) => PAD.top + plotH - (c / maxCount) * plotH;
  const binW = plotW / bins;
  const stripY = PAD.top + plotH + 8;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => lo + t * (hi - lo));
  const scoreX = x(score);
  const labelLeft = scoreX > width - 140;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-label={`Suspect score ${score.toFixed(3)} against ${values.length} innocent models (highest ${values.length ? Math.max(...values).toFixed(3) : '–'})`}
      data-testid="null-chart"
      style={{ maxWidth: width, fontFamily: 'inherit' }}
    >
      <line x1={PAD.left} x2={PAD.left + plotW} y1={PAD.top + plotH} y2={PAD.top + plotH} stroke="#868e96" />
      {counts.map((c, i) =>
        c > 0 ? (
          <rect key={i} x={PAD.left + i * binW + 1} y={y(c)} width={binW - 2} height={PAD.top + plotH - y(c)} fill="#74c0fc" data-testid="null-bin">
            <title>{`${c} innocent model${c === 1 ? '' : 's'} scored ${(lo + (i * (hi - lo)) / bins).toFixed(2)}–${(lo + ((i + 1) * (hi - lo)) / bins).toFixed(2)}`}</title>
          </rect>
        ) : null,
      )}
      {nullScores.map((s) => (
        <line key={s.id} x1={x(s.score)} x2={x(s.score)} y1={stripY} y2={stripY + 8} stroke="#1c7ed6" strokeWidth={1.5} data-testid="null-tick">
          <title>{`${s.id}: ${s.score.toFixed(3)}`}</title>
        </line>
      ))}
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={stripY + 10} y2={stripY + 14} stroke="#868e96" />
          <text x={x(t)} y={stripY + 26} fontSize={11} textAnchor="middle" fill="#495057">
            {t.toFixed(2)}
          </text>
        </g>
      ))}
      <text x={PAD.left - 6} y={PAD.top + 4} fontSize={11} textAnchor="end" fill="#495057">
        {maxCount}
      </text>
      <text x={PAD.left - 6} y={PAD.top + plotH} fontSize={11} textAnchor="end" fill="#495057">
        0
      </text>
      <line x1={scoreX} x2={scoreX} y1={PAD.top - 6} y2={stripY + 10} stroke="#e03131" strokeWidth={2.5} data-testid="suspect-line" />
      <text x={labelLeft ? scoreX - 6 : scoreX + 6} y={PAD.top + 4} fontSize={12} fontWeight={600} fill="#e03131" textAnchor={labelLeft ? 'end' : 'start'}>
        suspect {score.toFixed(3)}
      </text>
      <text x={PAD.left + plotW / 2} y={height - 2} fontSize={11} textAnchor="middle" fill="#495057">
        score (agreement with the source on the trigger set); bars and ticks: innocent models
      </text>
    </svg>
  );
}
