/** ROC of the trigger set on its calibration suite (pirated vs innocent models), as an inline SVG. */
export interface RocChartProps {
  points: readonly { fpr: number; tpr: number }[];
  auc: number;
  size?: number;
}

const PAD = 40;

export function RocChart({ points, auc, size = 260 }: RocChartProps) {
  const plot = size - PAD - 12;
  const x = (fpr: number) => PAD + fpr * plot;
  const y = (tpr: number) => 12 + (1 - tpr) * plot;
  // A ROC curve runs from (0,0) to (1,1) in fpr order; close it at both ends whatever was sent.
  const sorted = [{ fpr: 0, tpr: 0 }, ...[...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr), { fpr: 1, tpr: 1 }];
  const path = sorted.map((p, i) => `${i ? 'L' : 'M'}${x(p.fpr).toFixed(1)},${y(p.tpr).toFixed(1)}`).join(' ');
  return (
    <svg viewBox={`0 0 ${size} ${size}`} width={size} height={size} role="img" aria-label={`ROC curve, AUC ${auc.toFixed(3)}`} data-testid="roc-chart">
      <rect x={PAD} y={12} width={plot} height={plot} fill="none" stroke="#adb5bd" />
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#ced4da" strokeDasharray="4 3" />
      <path d={path} fill="none" stroke="#5f3dc4" strokeWidth={2} />
      {points.map((p, i) => (
        <circle key={i} cx={x(p.fpr)} cy={y(p.tpr)} r={2.5} fill="#5f3dc4" />
      ))}
      <text x={PAD + plot / 2} y={size - 6} fontSize={11} textAnchor="middle" fill="#495057">
        false-positive rate
      </text>
      <text x={12} y={12 + plot / 2} fontSize={11} textAnchor="middle" fill="#495057" transform={`rotate(-90 12 ${12 + plot / 2})`}>
        true-positive rate
      </text>
      <text x={x(1) - 6} y={y(0) - 8} fontSize={12} fontWeight={600} textAnchor="end" fill="#5f3dc4" data-testid="roc-auc">
        AUC {auc.toFixed(3)}
      </text>
    </svg>
  );
}
