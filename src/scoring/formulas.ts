/**
 * The scoring maths of HEALTH-MODEL.md "Scoring, exactly", in plain TypeScript. The engine computes
 * the same in SQL (src/scoring/engine*.ts); tests compare the two. Not used on the hot path.
 */
import type { ScoringFn } from './model-config';

export type Band = 'RED' | 'YELLOW' | 'GREEN' | 'UNKNOWN';

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** LINEAR {floor, target}: clamp((v − floor)/(target − floor), 0, 1) × 100; floor > target = lower is better. */
export function linearScore(v: number, floor: number, target: number): number {
  if (floor === target) return v >= target ? 100 : 0; // degenerate: a step at the target
  return clamp01((v - floor) / (target - floor)) * 100;
}

/** BANDS: the score of the band with the greatest min ≤ v; 0 below every band. */
export function bandsScore(v: number, bands: Array<{ min: number; score: number }>): number {
  let best: { min: number; score: number } | null = null;
  for (const b of bands) if (b.min <= v && (!best || b.min > best.min)) best = b;
  return best ? best.score : 0;
}

/**
 * PERCENTILE: 100 × (peers with a worse value + ½ × peers with an equal value, this one excluded)
 * / (accounts with a value − 1); 50 when it is the only one. `values` includes v itself.
 */
export function percentileScore(v: number, values: number[], higherIsBetter = true): number {
  const n = values.length;
  if (n <= 1) return 50;
  let worse = 0;
  let equal = -1; // this one excluded
  for (const x of values) {
    if (x === v) equal++;
    else if (higherIsBetter ? x < v : x > v) worse++;
  }
  return (100 * (worse + 0.5 * equal)) / (n - 1);
}

/** CATEGORICAL: the score listed for the value (as text), else the default; null (missing) without one. */
export function categoricalScore(value: string | null, categories: Array<{ value: string; score: number }>, defaultScore?: number | null): number | null {
  if (value === null) return null;
  const hit = categories.find((c) => c.value === value);
  return hit ? hit.score : defaultScore ?? null;
}

export function applyScoring(fn: ScoringFn, v: number, peers: number[]): number {
  switch (fn.type) {
    case 'LINEAR': return linearScore(v, fn.floor ?? 0, fn.target ?? 0);
    case 'BANDS': return bandsScore(v, fn.bands ?? []);
    case 'PERCENTILE': return percentileScore(v, peers, fn.higherIsBetter ?? true);
    case 'CATEGORICAL': throw new Error('CATEGORICAL scores an attribute value as text: use categoricalScore');
  }
}

export interface DriverLike { side: 'PROACTIVE' | 'REACTIVE'; weight: number; score: number | null; applicable: boolean; missing: boolean }

/** Side score = Σ wᵢ·sᵢ / Σ wᵢ over applicable, present components; null when none. */
export function sideScore(drivers: DriverLike[], side: DriverLike['side']): number | null {
  const present = drivers.filter((d) => d.side === side && d.applicable && !d.missing && d.score !== null);
  const w = present.reduce((a, d) => a + d.weight, 0);
  if (present.length === 0 || w === 0) return null;
  return present.reduce((a, d) => a + d.weight * (d.score as number), 0) / w;
}

/** Coin score = (P·wP + R·wR)/(wP + wR) over the present sides; null when both are missing. */
export function coinScore(p: number | null, r: number | null, wP: number, wR: number): number | null {
  const num = (p !== null ? p * wP : 0) + (r !== null ? r * wR : 0);
  const den = (p !== null ? wP : 0) + (r !== null ? wR : 0);
  return den > 0 ? num / den : null;
}

export function bandOf(score: number | null, redBelow = 40, yellowBelow = 70): Band {
  if (score === null || score === undefined) return 'UNKNOWN';
  if (score < redBelow) return 'RED';
  if (score < yellowBelow) return 'YELLOW';
  return 'GREEN';
}

/** Whole days between two instants (floor), as the engine counts journey days and DAYS_SINCE. */
export function wholeDays(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 86_400_000);
}
