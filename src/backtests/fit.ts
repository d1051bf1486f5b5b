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
 * Learned scoring (scorecard.ts): per component, from the training cases only, BANDS cut points by monotone binning
 * and CATEGORICAL values, their levels fitted jointly by a ridge logistic regression, scaled to 0-100.
 */
import { applyLearned, learnScorecard, type LearnedScoring, type LearnOptions } from './scorecard';
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

// ---- learned scoring (scorecard.ts) ----

export { applyLearned, learnBands, learnCategories, learnScorecard, LOWEST_BAND_MIN, pava, type LearnedScoring, type LearnOptions, type Scorecard } from './scorecard';

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
export function crossValidate(cases: readonly FitCase[], sides: readonly Side[], current: readonly number[], opts: { folds?: number; learn?: boolean | LearnOptions; seed?: number } & FitOptions = {}): CrossValidation {
  const k = opts.folds ?? 5;
  const fold = stratifiedFolds(cases, k, opts.seed);
  const suggested: Array<number | null> = [];
  const cur: Array<number | null> = [];
  for (let f = 0; f < k; f++) {
    let train = cases.filter((_, i) => fold[i] !== f);
    let test = cases.filter((_, i) => fold[i] === f);
    cur.push(heldOutAuc(test, current, sides));
    let start = current;
    if (opts.learn) {
      const card = learnScorecard(train, sides.length, opts.learn === true ? {} : opts.learn);
      train = rescore(train, card.fns);
      test = rescore(test, card.fns);
      start = card.start;
    }
    const fit = fitWeights(train, sides, start, opts);
    suggested.push(heldOutAuc(test, fit.theta, sides));
  }
  return { folds: k, suggested: meanOf(suggested), current: meanOf(cur), suggestedPerFold: suggested, currentPerFold: cur };
}
