/** Inline-SVG charts with a text alternative, so they need no script and read out in a screen reader. */
import type { FC } from 'hono/jsx';

export interface Bar {
  label: string;
  value: number;
}

/**
 * A vertical bar chart; `title` names it for assistive technology, and the bars are also listed as text.
 * With `max` the axis stops there, unless a value is larger: the axis always reaches the largest value, so no
 * bar or figure stands above it.
 */
export const BarChart: FC<{ id: string; title: string; bars: Bar[]; unit: string; max?: number }> = ({ id, title, bars, unit, max }) => {
  const top = Math.max(max ?? 1, ...bars.map((b) => b.value));
  const left = 40;
  const step = 60;
  const width = left + bars.length * step + 10;
  const headroom = 22; // the tallest bar's value label sits inside the picture
  const plot = 140;
  const height = headroom + plot + 40;
  const base = headroom + plot;
  return (
    <figure class="govuk-!-margin-0 govuk-!-margin-bottom-6">
      <svg class="app-chart" role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${width} ${height}`} width={width} style={`max-width:100%;width:${Math.min(width * 1.3, 900)}px`}>
        <title id={`${id}-title`}>{`${title}: ${bars.map((b) => `${b.label} ${b.value} ${unit}`).join('; ')}`}</title>
        <line x1={left} y1={base} x2={width} y2={base} stroke="#0b0c0c" />
        <line class="app-chart__axis" x1={left} y1={headroom} x2={left} y2={base} stroke="#b1b4b6" />
        <text class="app-chart__max" x={left - 6} y={headroom + 4} font-size="12" text-anchor="end" fill="#0b0c0c">
          {String(top)}
        </text>
        <text x={left - 6} y={base + 4} font-size="12" text-anchor="end" fill="#0b0c0c">
          0
        </text>
        {bars.map((b, i) => {
          const h = Math.round((b.value / top) * plot);
          const x = left + 8 + i * step;
          return (
            <g>
              <rect x={x} y={base - h} width="44" height={h} fill="#1d70b8" />
              <text class="app-chart__value" x={x + 22} y={Math.max(14, base - h - 6)} font-size="12" text-anchor="middle" fill="#0b0c0c">
                {String(b.value)}
              </text>
              <text x={x + 22} y={base + 18} font-size="11" text-anchor="middle" fill="#0b0c0c">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="govuk-body-s govuk-!-margin-top-1">{title}</figcaption>
    </figure>
  );
};

export interface PairedBar {
  label: string;
  /** The award (the outline). */
  whole: number;
  /** What was delivered (the filled part), and what is booked ahead (lighter). */
  done: number;
  ahead: number;
}

/** Horizontal bars: the award as an outline, delivered filled, booked ahead lighter; each row labelled, listed in the title too. */
export const PairedBars: FC<{ id: string; title: string; rows: PairedBar[]; unit: string }> = ({ id, title, rows, unit }) => {
  const top = Math.max(1, ...rows.map((r) => Math.max(r.whole, r.done + r.ahead)));
  const labelWidth = 170;
  const plot = 380;
  const row = 26;
  const width = labelWidth + plot + 50;
  const height = rows.length * row + 30;
  const scale = (n: number) => Math.round((n / top) * plot);
  return (
    <figure class="govuk-!-margin-0 govuk-!-margin-bottom-6">
      <svg class="app-chart" role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${width} ${height}`} width={width} style="max-width:100%">
        <title id={`${id}-title`}>{`${title}: ${rows.map((r) => `${r.label} ${r.done} delivered, ${r.ahead} booked ahead, of ${r.whole} ${unit}`).join('; ')}`}</title>
        {rows.map((r, i) => {
          const y = 8 + i * row;
          return (
            <g>
              <text x={labelWidth - 8} y={y + 14} font-size="12" text-anchor="end" fill="#0b0c0c">
                {r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label}
              </text>
              <rect x={labelWidth} y={y + 2} width={scale(r.whole)} height="16" fill="#fff" stroke="#0b0c0c" />
              <rect x={labelWidth} y={y + 2} width={scale(r.done)} height="16" fill="#00703c" />
              <rect x={labelWidth + scale(r.done)} y={y + 2} width={scale(r.ahead)} height="16" fill="#85994b" />
              <text x={labelWidth + Math.max(scale(r.whole), scale(r.done + r.ahead)) + 6} y={y + 14} font-size="12" fill="#0b0c0c">
                {`${r.done}/${r.whole}`}
              </text>
            </g>
          );
        })}
        <text x={labelWidth} y={height - 6} font-size="11" fill="#0b0c0c">
          {`Outline: ${unit} awarded · green: delivered · olive: booked ahead`}
        </text>
      </svg>
      <figcaption class="govuk-body-s govuk-!-margin-top-1">{title}</figcaption>
    </figure>
  );
};

const SHARE_BINS: { label: string; test: (s: number) => boolean }[] = [
  { label: '0%', test: (s) => s <= 0 },
  { label: '1–24%', test: (s) => s > 0 && s < 0.25 },
  { label: '25–49%', test: (s) => s >= 0.25 && s < 0.5 },
  { label: '50–74%', test: (s) => s >= 0.5 && s < 0.75 },
  { label: '75–99%', test: (s) => s >= 0.75 && s < 1 },
  { label: '100%', test: (s) => s >= 1 },
];

/** Children counted by the share of what they asked for that they got. */
export function shareHistogram(shares: number[]): Bar[] {
  return SHARE_BINS.map((bin) => ({ label: bin.label, value: shares.filter(bin.test).length }));
}
