/**
 * Suggested weights: fit a coin's component weights (and so its side weights) to what happened, by a logistic
 * regression whose input is the coin's OWN score under the candidate weights:
 *
 *   P(churn) = σ(a − b · coin(θ) / 100),   θ ≥ 0 on the simplex (Σθ = 1), b ≥ 0,   loss = mean log-loss + λ·b²
 *
 * coin(θ) is the product's rule (HEALTH-MODEL.md steps 5-7) with θᵢ as the component weights inside their side and
 * Σθ over a side as that side's weight — which can express any coin: θᵢ = sideWeight · wᵢ / Σ side w. So a missing
 * (or not applicable) component enters the fit exactly as it enters scoring: it is left out of its side and the side's
 * remaining weights are renormalised. There is nothing to impute, and the weights fitted are the weights that will be
 * used, renormalisation included (a plain regression on the component scores would fit a different formula whenever
 * a component is missing). AUC does not depend on a and b: they only calibrate.
 *
 * Optimiser: projected gradient descent on θ (Euclidean projection onto the simplex, Duchi et al. 2008) with
 * backtracking, and (a, b) by Newton steps at each iteration. Hand-written because no maintained JavaScript library
 * fits a logistic model through this non-linear, renormalised formula under θ ≥ 0 (ml-logistic-regression fits an
 * unconstrained linear model on fixed features).
 *
 * Learned scoring: per component, from the training cases only, BANDS cut points by monotone binning (up to ten
 * quantile bins of the raw value, the retention rate made monotone by pool-adjacent-violators in whichever direction
 * fits better, as credit scorecards do) or, for CATEGORICAL components, a retention rate per value; scaled to 0-100.
 */
import { auc, seededRandom, type Case } from './statistics';

export type Side = 'PROACTIVE' | 'REACTIVE';

export interface FitCase {
  churned: boolean;
  /** Per component: its score in [0, 100], or null when missing / not applicable. */
  scores: Array<number | null>;
  /** Per component: the raw value the scoring function saw (numeric), or its text value (CATEGORICAL); null = none. */
  raw?: Array<number | string | null>;
}

export interface FitOptions { ridge?: number; maxIter?: number; tolerance?: number }

/** The coin score (0-100) of one case under weights θ (the product's renormalisation); null when no side is present. */
export function coinUnder(theta: readonly number[], sides: readonly Side[], scores: ReadonlyArray<number | null>): number | null {
  let sp = 0, wp = 0, tp = 0, sr = 0, wr = 0, tr = 0;
  for (let i = 0; i < theta.length; i++) {
    const s = scores[i];
    if (sides[i] === 'PROACTIVE') { tp += theta[i]; if (s !== null) { sp += theta[i] * s; wp += theta[i]; } } else { tr += theta[i]; if (s !== null) { sr += theta[i] * s; wr += theta[i]; } }
  }
  const ep = wp > 0 ? 1 : 0;
  const er = wr > 0 ? 1 : 0;
  const den = ep * tp + er * tr;
  if (den <= 0) return null;
  return ((ep ? (sp / wp) * tp : 0) + (er ? (sr / wr) * tr : 0)) / den;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Euclidean projection onto {θ ≥ 0, Σθ = 1}. */
export function projectSimplex(v: readonly number[]): number[] {
  const u = [...v].sort((a, b) => b - a);
  let css = 0, rho = -1, cssRho = 0;
  for (let j = 0; j < u.length; j++) {
    css += u[j];
    if (u[j] - (css - 1) / (j + 1) > 0) { rho = j; cssRho = css; }
  }
  const tau = (cssRho - 1) / (rho + 1);
  return v.map((x) => Math.max(0, x - tau));
}

export interface FitResult { theta: number[]; a: number; b: number; loss: number; iterations: number }

/** Fit θ (simplex), a, b to the cases, starting from `start` (e.g. the current weights as θ). */
export function fitWeights(cases: readonly FitCase[], sides: readonly Side[], start: readonly number[], opts: FitOptions = {}): FitResult {
  const k = sides.length;
  // only a guard that keeps b finite when the classes separate perfectly: a larger ridge shrinks b and biases θ
  const ridge = opts.ridge ?? 1e-6;
  const maxIter = opts.maxIter ?? 300;
  const tol = opts.tolerance ?? 1e-9;
  let theta = projectSimplex(start.map((x) => (Number.isFinite(x) ? x : 0)));
  if (theta.every((x) => x === 0)) theta = Array(k).fill(1 / k);
  let a = 0, b = 1;

  const coins = (th: readonly number[]) => cases.map((c) => coinUnder(th, sides, c.scores));
  /** Newton steps for (a, b ≥ 0) at fixed coins. */
  const fitAB = (cs: ReadonlyArray<number | null>) => {
    for (let it = 0; it < 25; it++) {
      let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0, n = 0;
      for (let j = 0; j < cases.length; j++) {
        const c = cs[j]; if (c === null) continue;
        const x = -c / 100;
        const p = sigmoid(a + b * x);
        const r = p - (cases[j].churned ? 1 : 0);
        const w = p * (1 - p);
        ga += r; gb += r * x; haa += w; hab += w * x; hbb += w * x * x; n++;
      }
      if (!n) return;
      gb += 2 * ridge * n * b; hbb += 2 * ridge * n;
      const det = haa * hbb - hab * hab;
      if (!(det > 1e-12)) return;
      const da = (hbb * ga - hab * gb) / det;
      const db = (haa * gb - hab * ga) / det;
      a -= da; b = Math.max(0, b - db);
      if (Math.abs(da) + Math.abs(db) < 1e-10) return;
    }
  };
  const lossOf = (cs: ReadonlyArray<number | null>) => {
    let l = 0, n = 0;
    for (let j = 0; j < cases.length; j++) {
      const c = cs[j]; if (c === null) continue;
      const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(a - (b * c) / 100)));
      l += cases[j].churned ? -Math.log(p) : -Math.log(1 - p); n++;
    }
    return n ? l / n + ridge * b * b : 0;
  };

  let cs = coins(theta);
  fitAB(cs);
  let loss = lossOf(cs);
  let step = 1;
  let it = 0;
  for (; it < maxIter; it++) {
    // gradient of the mean log-loss in θ: dL/dc · dc/dθ, with dc/dθ from the renormalised formula
    const g = new Array(k).fill(0);
    let n = 0;
    for (let j = 0; j < cases.length; j++) {
      const c = cs[j]; if (c === null) continue;
      n++;
      const s = cases[j].scores;
      const p = sigmoid(a - (b * c) / 100);
      const dLdc = -(b / 100) * (p - (cases[j].churned ? 1 : 0));
      let sp = 0, wp = 0, tp = 0, sr = 0, wr = 0, tr = 0;
      for (let i = 0; i < k; i++) {
        const v = s[i];
        if (sides[i] === 'PROACTIVE') { tp += theta[i]; if (v !== null) { sp += theta[i] * v; wp += theta[i]; } } else { tr += theta[i]; if (v !== null) { sr += theta[i] * v; wr += theta[i]; } }
      }
      const ep = wp > 0, er = wr > 0;
      const den = (ep ? tp : 0) + (er ? tr : 0);
      const P = ep ? sp / wp : 0, R = er ? sr / wr : 0;
      for (let i = 0; i < k; i++) {
        const v = s[i];
        let d = 0;
        if (sides[i] === 'PROACTIVE') { if (ep) d = ((v !== null ? ((v - P) / wp) * tp : 0) + P - c) / den; } else if (er) d = ((v !== null ? ((v - R) / wr) * tr : 0) + R - c) / den;
        g[i] += dLdc * d;
      }
    }
    if (!n) break;
    for (let i = 0; i < k; i++) g[i] /= n;
    // backtracking along the projected gradient
    let improved = false;
    for (let tries = 0; tries < 30; tries++) {
      const cand = projectSimplex(theta.map((x, i) => x - step * g[i]));
      const ccs = coins(cand);
      const l = lossOf(ccs);
      if (l < loss - 1e-12) {
        const gain = loss - l;
        theta = cand; cs = ccs; loss = l; improved = true; step *= 2;
        if (gain < tol) it = maxIter;
        break;
      }
      step /= 4;
    }
    if (!improved) break;
    fitAB(cs);
    loss = lossOf(cs);
  }
  return { theta, a, b, loss, iterations: it };
}

// ---- learned scoring ----

export type LearnedScoring =
  | { type: 'BANDS'; bands: Array<{ min: number; score: number }> }
  | { type: 'CATEGORICAL'; categories: Array<{ value: string; score: number }>; defaultScore: number };

/** The lowest band starts here, so that every value (also below anything seen in training) falls in a band. */
export const LOWEST_BAND_MIN = -1e12;

/** Pool adjacent violators: the non-decreasing fit of `y` (weights `w`). */
export function pava(y: readonly number[], w: readonly number[]): number[] {
  const blocks: Array<{ v: number; w: number; n: number }> = [];
  y.forEach((v, i) => {
    blocks.push({ v, w: w[i], n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].v > blocks[blocks.length - 1].v) {
      const b2 = blocks.pop()!, b1 = blocks.pop()!;
      const ww = b1.w + b2.w;
      blocks.push({ v: ww > 0 ? (b1.v * b1.w + b2.v * b2.w) / ww : (b1.v + b2.v) / 2, w: ww, n: b1.n + b2.n });
    }
  });
  return blocks.flatMap((b) => Array(b.n).fill(b.v));
}

const scale = (rates: number[]) => {
  const lo = Math.min(...rates), hi = Math.max(...rates);
  // one decimal: readable cut points for ops, and exactly 0 and 100 at the ends
  return rates.map((r) => (hi > lo ? Math.round((1000 * (r - lo)) / (hi - lo)) / 10 : 50));
};

/** BANDS learned from (value, churned) pairs: monotone in the better-fitting direction, at most `bins` bands. */
export function learnBands(pairs: ReadonlyArray<{ v: number; churned: boolean }>, bins = 10): LearnedScoring | null {
  if (pairs.length < 2) return null;
  const sorted = [...pairs].sort((x, y) => x.v - y.v);
  // quantile bins on distinct values: a bin closes at a change of value once it holds n / bins cases
  const target = sorted.length / bins;
  const groups: Array<{ min: number; n: number; retained: number }> = [];
  for (let i = 0; i < sorted.length; i++) {
    const g = groups[groups.length - 1];
    if (!g || (g.n >= target && sorted[i].v !== sorted[i - 1].v)) groups.push({ min: sorted[i].v, n: 0, retained: 0 });
    const cur = groups[groups.length - 1];
    cur.n++;
    if (!sorted[i].churned) cur.retained++;
  }
  const rates = groups.map((g) => g.retained / g.n);
  const w = groups.map((g) => g.n);
  const up = pava(rates, w);
  const down = pava(rates.map((r) => -r), w).map((r) => -r);
  const sse = (fit: number[]) => fit.reduce((s, f, i) => s + w[i] * (rates[i] - f) ** 2, 0);
  const fit = sse(up) <= sse(down) ? up : down;
  const scores = scale(fit);
  const bands: Array<{ min: number; score: number }> = [];
  scores.forEach((s, i) => {
    if (bands.length && bands[bands.length - 1].score === s) return; // merge equal neighbours
    bands.push({ min: i === 0 ? LOWEST_BAND_MIN : groups[i].min, score: s });
  });
  return { type: 'BANDS', bands };
}

/** A score per value from its retention rate, smoothed toward the overall rate (10 pseudo-cases) so rare values stay near the middle. */
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

/** Learn each component's scoring from the cases (null where its raw values cannot be learned from). */
export function learnScoring(cases: readonly FitCase[], k: number): Array<LearnedScoring | null> {
  return Array.from({ length: k }, (_, i) => {
    const present = cases.filter((c) => c.scores[i] !== null && c.raw?.[i] !== null && c.raw?.[i] !== undefined);
    if (!present.length) return null;
    if (typeof present[0].raw![i] === 'string') return learnCategories(present.map((c) => ({ v: String(c.raw![i]), churned: c.churned })));
    return learnBands(present.filter((c) => typeof c.raw![i] === 'number').map((c) => ({ v: c.raw![i] as number, churned: c.churned })));
  });
}

/** The cases re-scored with learned functions (components without one keep their scores). */
export function rescore(cases: readonly FitCase[], fns: ReadonlyArray<LearnedScoring | null>): FitCase[] {
  return cases.map((c) => ({ ...c, scores: c.scores.map((s, i) => (s === null || !fns[i] ? s : applyLearned(fns[i]!, c.raw?.[i] ?? null))) }));
}

// ---- cross-validation ----

/** Stratified folds (seeded): fold index per case. */
export function stratifiedFolds(cases: readonly FitCase[], k: number, seed = 7): number[] {
  const random = seededRandom(seed);
  const folds = new Array(cases.length).fill(0);
  for (const cls of [true, false]) {
    const idx = cases.map((c, i) => (c.churned === cls ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [idx[i], idx[j]] = [idx[j], idx[i]]; }
    idx.forEach((i, n) => { folds[i] = n % k; });
  }
  return folds;
}

export interface CrossValidation {
  folds: number;
  /** Mean over folds of the held-out AUC. */
  suggested: number | null;
  current: number | null;
  suggestedPerFold: Array<number | null>;
  currentPerFold: Array<number | null>;
}

const meanOf = (xs: Array<number | null>) => { const v = xs.filter((x): x is number => x !== null); return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null; };

function heldOutAuc(cases: readonly FitCase[], theta: readonly number[], sides: readonly Side[]): number | null {
  const scored: Case[] = [];
  for (const c of cases) { const s = coinUnder(theta, sides, c.scores); if (s !== null) scored.push({ score: s, churned: c.churned }); }
  return auc(scored);
}

/**
 * k-fold cross-validation: for each fold, fit on the other folds (and, with `learn`, learn the scoring functions
 * there too) and measure the AUC on the held-out fold, next to the current weights' AUC on the same fold.
 */
export function crossValidate(cases: readonly FitCase[], sides: readonly Side[], current: readonly number[], opts: { folds?: number; learn?: boolean; seed?: number } & FitOptions = {}): CrossValidation {
  const k = opts.folds ?? 5;
  const fold = stratifiedFolds(cases, k, opts.seed);
  const suggested: Array<number | null> = [];
  const cur: Array<number | null> = [];
  for (let f = 0; f < k; f++) {
    let train = cases.filter((_, i) => fold[i] !== f);
    let test = cases.filter((_, i) => fold[i] === f);
    cur.push(heldOutAuc(test, current, sides));
    if (opts.learn) {
      const fns = learnScoring(train, sides.length);
      train = rescore(train, fns);
      test = rescore(test, fns);
    }
    const fit = fitWeights(train, sides, current, opts);
    suggested.push(heldOutAuc(test, fit.theta, sides));
  }
  return { folds: k, suggested: meanOf(suggested), current: meanOf(cur), suggestedPerFold: suggested, currentPerFold: cur };
}
