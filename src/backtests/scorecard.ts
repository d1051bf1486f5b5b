/**
 * Learned scoring: each component's scoring function learned from what happened, as a credit scorecard is built.
 *
 * 1. Cells. A numeric component's values are cut into up to `bins` quantile bins (each at least `minBinShare` of the
 *    cases with a value; a bin closes only where the value changes); the retention rate per bin is made monotone by
 *    pool-adjacent-violators in whichever direction fits better, and equal neighbours are merged: the cut points are
 *    where the evidence says the risk changes (monotone binning). A CATEGORICAL component's cells are its values.
 * 2. Levels, fitted jointly. A logistic regression of churn on every component's cells at once (one indicator per
 *    cell, a small ridge, intercept free): each cell's level is its evidence *given the other components*, not its
 *    marginal churn rate, which counts what two correlated components share twice (tenure and money paid so far;
 *    fibre and the monthly bill). A numeric component whose joint levels break monotonicity has its violating
 *    neighbours pooled (PAVA on the levels, either direction) and the model is fitted again, until every numeric
 *    component is monotone: bands stay readable ("good begins here").
 * 3. Scores. Per component the levels are scaled to 0-100 (lowest churn = 100); the spread of its levels is its
 *    share of the coin, the starting point of the weight fit (fit.ts), which then fits the weights through the coin's
 *    own renormalised formula. Because a coin is a weighted mean of scores and the logistic model is additive in
 *    its cells, the two describe the same family of models: the scorecard maps onto BANDS / CATEGORICAL + weights.
 *
 * The ridge system is solved with ml-matrix (Cholesky). Everything is learned from the cases given: in
 * cross-validation, from the training folds only.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { FitCase } from './fit';

export type LearnedScoring =
  | { type: 'BANDS'; bands: Array<{ min: number; score: number }> }
  | { type: 'CATEGORICAL'; categories: Array<{ value: string; score: number }>; defaultScore: number };

/** The lowest band starts here, so that every value (also below anything seen in training) falls in a band. */
export const LOWEST_BAND_MIN = -1e12;

export interface LearnOptions {
  /** Quantile bins before pooling (default 20). */
  bins?: number;
  /** Smallest share of the cases with a value in one bin (default 0.02: 2 %). */
  minBinShare?: number;
  /** Ridge on the cell levels, in pseudo-cases (default 1). */
  ridge?: number;
  /** false: the levels are each cell's own retention rate (marginal), as before the joint fit. */
  joint?: boolean;
}

/** Pool adjacent violators: the non-decreasing fit of `y` (weights `w`). */
export function pava(y: readonly number[], w: readonly number[]): number[] {
  return pavaBlocks(y, w).flatMap((b) => Array(b.n).fill(b.v));
}

function pavaBlocks(y: readonly number[], w: readonly number[]): Array<{ v: number; w: number; n: number }> {
  const blocks: Array<{ v: number; w: number; n: number }> = [];
  y.forEach((v, i) => {
    blocks.push({ v, w: w[i], n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].v > blocks[blocks.length - 1].v) {
      const b2 = blocks.pop()!, b1 = blocks.pop()!;
      const ww = b1.w + b2.w;
      blocks.push({ v: ww > 0 ? (b1.v * b1.w + b2.v * b2.w) / ww : (b1.v + b2.v) / 2, w: ww, n: b1.n + b2.n });
    }
  });
  return blocks;
}

/** The monotone fit of `y` (weights `w`) in whichever direction fits better (least weighted squares). */
function monotone(y: readonly number[], w: readonly number[]): number[] {
  const up = pava(y, w);
  const down = pava(y.map((r) => -r), w).map((r) => -r);
  const sse = (fit: number[]) => fit.reduce((s, f, i) => s + w[i] * (y[i] - f) ** 2, 0);
  return sse(up) <= sse(down) ? up : down;
}

/** Cells of a numeric component: quantile bins, monotone retention (PAVA), equal neighbours merged. */
export function monotoneCells(pairs: ReadonlyArray<{ v: number; churned: boolean }>, bins = 20, minBinShare = 0): { mins: number[]; rates: number[]; n: number[] } {
  const sorted = [...pairs].sort((x, y) => x.v - y.v);
  // a bin closes at a change of value once it holds its share of the cases
  const target = Math.max(sorted.length / bins, minBinShare * sorted.length);
  const groups: Array<{ min: number; n: number; retained: number }> = [];
  for (let i = 0; i < sorted.length; i++) {
    const g = groups[groups.length - 1];
    if (!g || (g.n >= target && sorted[i].v !== sorted[i - 1].v)) groups.push({ min: sorted[i].v, n: 0, retained: 0 });
    const cur = groups[groups.length - 1];
    cur.n++;
    if (!sorted[i].churned) cur.retained++;
  }
  // a last bin below the share joins its neighbour
  if (groups.length > 1 && groups[groups.length - 1].n < minBinShare * sorted.length) {
    const last = groups.pop()!;
    groups[groups.length - 1].n += last.n; groups[groups.length - 1].retained += last.retained;
  }
  const fit = monotone(groups.map((g) => g.retained / g.n), groups.map((g) => g.n));
  const cells: { mins: number[]; rates: number[]; n: number[] } = { mins: [], rates: [], n: [] };
  fit.forEach((r, i) => {
    if (cells.rates.length && cells.rates[cells.rates.length - 1] === r) { cells.n[cells.n.length - 1] += groups[i].n; return; }
    cells.mins.push(i === 0 ? LOWEST_BAND_MIN : groups[i].min); cells.rates.push(r); cells.n.push(groups[i].n);
  });
  return cells;
}

const scale = (rates: readonly number[]) => {
  const lo = Math.min(...rates), hi = Math.max(...rates);
  // one decimal: readable cut points for ops, and exactly 0 and 100 at the ends
  return rates.map((r) => (hi > lo ? Math.round((1000 * (r - lo)) / (hi - lo)) / 10 : 50));
};

const bandsOf = (mins: readonly number[], scores: readonly number[]): LearnedScoring => {
  const bands: Array<{ min: number; score: number }> = [];
  scores.forEach((s, i) => { if (!bands.length || bands[bands.length - 1].score !== s) bands.push({ min: mins[i], score: s }); });
  return { type: 'BANDS', bands };
};

/** BANDS from (value, churned) pairs by their own retention rates (marginal): monotone, at most `bins` bands. */
export function learnBands(pairs: ReadonlyArray<{ v: number; churned: boolean }>, bins = 20, minBinShare = 0): LearnedScoring | null {
  if (pairs.length < 2) return null;
  const cells = monotoneCells(pairs, bins, minBinShare);
  return bandsOf(cells.mins, scale(cells.rates));
}

/** A score per value from its own retention rate, smoothed toward the overall rate (10 pseudo-cases) so rare values stay near the middle. */
export function learnCategories(pairs: ReadonlyArray<{ v: string; churned: boolean }>): LearnedScoring | null {
  if (!pairs.length) return null;
  const overall = pairs.filter((p) => !p.churned).length / pairs.length;
  const by = new Map<string, { n: number; retained: number }>();
  for (const p of pairs) {
    const g = by.get(p.v) ?? { n: 0, retained: 0 };
    g.n++; if (!p.churned) g.retained++;
    by.set(p.v, g);
  }
  const values = [...by.keys()].sort();
  const rates = values.map((v) => { const g = by.get(v)!; return (g.retained + 10 * overall) / (g.n + 10); });
  const all = scale([...rates, overall]);
  return { type: 'CATEGORICAL', categories: values.map((v, i) => ({ value: v, score: all[i] })), defaultScore: all[all.length - 1] };
}

export function applyLearned(fn: LearnedScoring, raw: number | string | null): number | null {
  if (raw === null) return null;
  if (fn.type === 'CATEGORICAL') return fn.categories.find((c) => c.value === String(raw))?.score ?? fn.defaultScore;
  if (typeof raw !== 'number') return null;
  let best = 0;
  for (const b of fn.bands) if (b.min <= raw) best = b.score;
  return best;
}

type Cells = { kind: 'BANDS'; mins: number[] } | { kind: 'CATEGORICAL'; values: string[] };

function cellOf(cells: Cells, raw: number | string | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  if (cells.kind === 'CATEGORICAL') { const i = cells.values.indexOf(String(raw)); return i >= 0 ? i : null; }
  if (typeof raw !== 'number') return null;
  let at = 0;
  for (let i = 0; i < cells.mins.length; i++) if (cells.mins[i] <= raw) at = i;
  return at;
}

/** What a component's scoring can be learned from: a present score and a raw value (text for CATEGORICAL). */
const present = (c: FitCase, i: number) => c.scores[i] !== null && c.raw?.[i] !== null && c.raw?.[i] !== undefined;

/**
 * Ridge logistic regression of churn on indicator features (each case: the indices of its features), by Newton steps:
 * minimises Σ log-loss + ridge · Σ β² (intercept unpenalised). Returns the coefficients and the intercept.
 */
export function ridgeLogistic(x: ReadonlyArray<readonly number[]>, y: readonly boolean[], p: number, ridge: number, maxIter = 50): { beta: number[]; intercept: number } {
  const beta = new Array(p + 1).fill(0); // the last one is the intercept
  const churn = y.filter(Boolean).length;
  beta[p] = Math.log(Math.max(churn, 0.5) / Math.max(y.length - churn, 0.5));
  for (let it = 0; it < maxIter; it++) {
    const g = new Array(p + 1).fill(0);
    const h = Matrix.zeros(p + 1, p + 1);
    for (let j = 0; j < x.length; j++) {
      const feats = [...x[j], p];
      let z = 0;
      for (const f of feats) z += beta[f];
      const pr = 1 / (1 + Math.exp(-z));
      const r = pr - (y[j] ? 1 : 0), w = pr * (1 - pr);
      for (const f of feats) {
        g[f] += r;
        for (const f2 of feats) h.set(f, f2, h.get(f, f2) + w);
      }
    }
    for (let f = 0; f < p; f++) { g[f] += 2 * ridge * beta[f]; h.set(f, f, h.get(f, f) + 2 * ridge); }
    h.set(p, p, h.get(p, p) + 1e-9);
    const d = new CholeskyDecomposition(h).solve(Matrix.columnVector(g)).to1DArray();
    let step = 0;
    for (let f = 0; f <= p; f++) { beta[f] -= d[f]; step = Math.max(step, Math.abs(d[f])); }
    if (step < 1e-9) break;
  }
  return { beta: beta.slice(0, p), intercept: beta[p] };
}

export interface Scorecard {
  /** Per component: its learned scoring function (null: nothing to learn from). */
  fns: Array<LearnedScoring | null>;
  /** Per component: the spread of its fitted levels, as a share of the sum (the weight fit's starting point). */
  start: number[];
}

/** Learn every component's scoring from the cases (see the top of this file). */
export function learnScorecard(cases: readonly FitCase[], k: number, opts: LearnOptions = {}): Scorecard {
  const bins = opts.bins ?? 20;
  const minBinShare = opts.minBinShare ?? 0.02;
  const cells: Array<Cells | null> = Array.from({ length: k }, (_, i) => {
    const have = cases.filter((c) => present(c, i));
    if (!have.length) return null;
    if (typeof have[0].raw![i] === 'string') return { kind: 'CATEGORICAL', values: [...new Set(have.map((c) => String(c.raw![i])))].sort() };
    const pairs = have.filter((c) => typeof c.raw![i] === 'number').map((c) => ({ v: c.raw![i] as number, churned: c.churned }));
    return pairs.length >= 2 ? { kind: 'BANDS', mins: monotoneCells(pairs, bins, minBinShare).mins } : null;
  });
  const levels = opts.joint === false ? marginalLevels(cases, cells) : jointLevels(cases, cells, opts.ridge ?? 1);
  const fns: Array<LearnedScoring | null> = [];
  const spread: number[] = [];
  cells.forEach((cell, i) => {
    const lv = levels[i];
    if (!cell || !lv) { fns.push(null); spread.push(0); return; }
    // levels are churn log-odds contributions: the lowest churn scores 100
    const scores = scale(lv.beta.map((b) => -b));
    spread.push(Math.max(...lv.beta) - Math.min(...lv.beta));
    if (cell.kind === 'BANDS') { fns.push(bandsOf(cell.mins, scores)); return; }
    // a value not seen in training scores as the average training case
    const n = lv.n.reduce((s, x) => s + x, 0);
    const avg = Math.round((10 * scores.reduce((s, x, j) => s + x * lv.n[j], 0)) / Math.max(n, 1)) / 10;
    fns.push({ type: 'CATEGORICAL', categories: cell.values.map((v, j) => ({ value: v, score: scores[j] })), defaultScore: avg });
  });
  const total = spread.reduce((s, x) => s + x, 0);
  return { fns, start: total > 0 ? spread.map((x) => x / total) : spread.map(() => 1 / Math.max(k, 1)) };
}

/** Each cell's own churn log-odds (smoothed toward the overall rate by 10 pseudo-cases). */
function marginalLevels(cases: readonly FitCase[], cells: ReadonlyArray<Cells | null>): Array<{ beta: number[]; n: number[] } | null> {
  const overall = cases.filter((c) => c.churned).length / Math.max(cases.length, 1);
  return cells.map((cell, i) => {
    if (!cell) return null;
    const size = cell.kind === 'BANDS' ? cell.mins.length : cell.values.length;
    const n = new Array(size).fill(0), ch = new Array(size).fill(0);
    for (const c of cases) { if (!present(c, i)) continue; const j = cellOf(cell, c.raw![i]); if (j !== null) { n[j]++; if (c.churned) ch[j]++; } }
    return { beta: n.map((m, j) => { const r = (ch[j] + 10 * overall) / (m + 10); return Math.log(r / (1 - r)); }), n };
  });
}

/** The cells' levels fitted jointly; numeric components pooled until their levels are monotone. */
function jointLevels(cases: readonly FitCase[], cellsIn: Array<Cells | null>, ridge: number): Array<{ beta: number[]; n: number[] } | null> {
  const cells = cellsIn; // pooled in place: a merged band keeps its lower cut point
  for (let round = 0; ; round++) {
    const offset: number[] = [];
    let p = 0;
    for (const cell of cells) { offset.push(p); p += cell ? (cell.kind === 'BANDS' ? cell.mins.length : cell.values.length) : 0; }
    const counts = new Array(p).fill(0);
    const x = cases.map((c) => {
      const feats: number[] = [];
      cells.forEach((cell, i) => {
        if (!cell || !present(c, i)) return;
        const j = cellOf(cell, c.raw![i]);
        if (j !== null) { feats.push(offset[i] + j); counts[offset[i] + j]++; }
      });
      return feats;
    });
    const { beta } = ridgeLogistic(x, cases.map((c) => c.churned), p, ridge);
    const levels = cells.map((cell, i) => {
      if (!cell) return null;
      const size = cell.kind === 'BANDS' ? cell.mins.length : cell.values.length;
      return { beta: beta.slice(offset[i], offset[i] + size), n: counts.slice(offset[i], offset[i] + size) };
    });
    let pooled = false;
    cells.forEach((cell, i) => {
      if (!cell || cell.kind !== 'BANDS' || round >= 20) return;
      const lv = levels[i]!;
      const fit = monotone(lv.beta, lv.n.map((m) => Math.max(m, 1)));
      const mins = cell.mins.filter((_, j) => j === 0 || fit[j] !== fit[j - 1]);
      if (mins.length < cell.mins.length) { cell.mins = mins; pooled = true; }
    });
    if (!pooled) return levels;
  }
}
