/** Inline-SVG charts with a text alternative, so they need no script and read out in a screen reader. */
import type { FC } from 'hono/jsx';

export interface Bar {
  label: string;
  value: number;
}

/** A vertical bar chart; `title` names it for assistive technology, and the bars are also listed as text. */
export const BarChart: FC<{ id: string; title: string; bars: Bar[]; unit: string; max?: number }> = ({ id, title, bars, unit, max }) => {
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value), 1);
  const width = 40 + bars.length * 56;
  const height = 200;
  const top0 = 24; // room for the tallest bar's value label
  const plot = 130;
  return (
    <figure>
      <svg role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${width} ${height}`} width="100%" style={`max-width:${width * 1.5}px`}>
        <title id={`${id}-title`}>{`${title}: ${bars.map((b) => `${b.label} ${b.value} ${unit}`).join('; ')}`}</title>
        <line x1="30" y1={top0 + plot} x2={width} y2={top0 + plot} stroke="#0b0c0c" />
        <text x="2" y={top0 + 6} font-size="11" fill="#0b0c0c">
          {String(top)}
        </text>
        <text x="2" y={top0 + plot} font-size="11" fill="#0b0c0c">
          0
        </text>
        {bars.map((b, i) => {
          const h = Math.round((b.value / top) * plot);
          const x = 36 + i * 56;
          return (
            <g>
              <rect x={x} y={top0 + plot - h} width="44" height={h} fill="#1d4f91" />
              <text x={x + 22} y={6 + plot - h} font-size="11" text-anchor="middle" fill="#0b0c0c">
                {String(b.value)}
              </text>
              <text x={x + 22} y={26 + plot} font-size="10" text-anchor="middle" fill="#0b0c0c">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="hint">{title}</figcaption>
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
