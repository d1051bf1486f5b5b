/**
 * The figures of a backtest, as pure functions over (score, churned) pairs: no database, no GraphQL, so each is
 * unit-tested against hand-computed examples (test/backtest-statistics.test.ts).
 *
 * Conventions: a higher score means healthier, so a good model gives churned accounts LOWER scores; a case whose
 * score is null (nothing to score it on) is left out of every figure and counted apart by the caller.
 */

export interface Case {
  score: number;
  churned: boolean;
}

/** Cases sorted by score (ascending), grouped by equal score: the one ordering every figure here reads. */
interface TieGroup { score: number; churned: number; retained: number }

function tieGroups(cases: readonly Case[]): TieGroup[] {
  const order = cases.map((_, i) => i).sort((a, b) => cases[a].score - cases[b].score);
  const groups: TieGroup[] = [];
  for (const i of order) {
    const w = 1;
    const c = cases[i];
    let g = groups[groups.length - 1];
    if (!g || g.score !== c.score) { g = { score: c.score, churned: 0, retained: 0 }; groups.push(g); }
    if (c.churned) g.churned += w; else g.retained += w;
  }
  return groups;
}

/** Mann-Whitney over tie groups: P(retained scored higher than churned) + ½ P(equal). */
function aucOfGroups(groups: readonly TieGroup[]): number | null {
  let churnedBelow = 0;
  let num = 0;
  let churned = 0;
  let retained = 0;
  for (const g of groups) {
    num += g.retained * (churnedBelow + 0.5 * g.churned);
    churnedBelow += g.churned;
    churned += g.churned;
    retained += g.retained;
  }
  return churned > 0 && retained > 0 ? num / (churned * retained) : null;
}

/**
 * AUC: the probability that a randomly chosen retained case scored higher than a randomly chosen churned one, ties
 * counting half. Null without at least one case of each class. 0.5 = no better than chance.
 */
export function auc(cases: readonly Case[]): number | null {
  return aucOfGroups(tieGroups(cases));
}

/** A small seeded generator (mulberry32): the same seed gives the same interval, so reports are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Interval { low: number; high: number }

/**
 * 95 % percentile bootstrap interval of the AUC: `samples` resamples of the cases with replacement. The tie groups
 * are found once; a resample only counts how often each case was drawn into typed arrays per group, so each costs
 * one linear pass (100k cases × 1,000 resamples in a few seconds) instead of a sort.
 */
export function bootstrapAucInterval(cases: readonly Case[], opts: { samples?: number; seed?: number } = {}): Interval | null {
  const n = cases.length;
  if (auc(cases) === null) return null;
  const samples = opts.samples ?? 1000;
  const random = seededRandom(opts.seed ?? 12);
  const order = cases.map((_, i) => i).sort((a, b) => cases[a].score - cases[b].score);
  const group = new Int32Array(n);
  let groups = 0;
  order.forEach((i, k) => {
    if (k > 0 && cases[i].score !== cases[order[k - 1]].score) groups++;
    group[i] = groups;
  });
  groups++;
  const churnedW = new Float64Array(groups);
  const retainedW = new Float64Array(groups);
  const values: number[] = [];
  for (let s = 0; s < samples; s++) {
    churnedW.fill(0);
    retainedW.fill(0);
    for (let k = 0; k < n; k++) {
      const i = Math.floor(random() * n);
      if (cases[i].churned) churnedW[group[i]] += 1; else retainedW[group[i]] += 1;
    }
    let below = 0, num = 0, c = 0, r = 0;
    for (let g = 0; g < groups; g++) {
      num += retainedW[g] * (below + 0.5 * churnedW[g]);
      below += churnedW[g];
      c += churnedW[g];
      r += retainedW[g];
    }
    if (c > 0 && r > 0) values.push(num / (c * r)); // a resample with one class only has no AUC: left out
  }
  if (!values.length) return null;
  values.sort((a, b) => a - b);
  return { low: quantile(values, 0.025), high: quantile(values, 0.975) };
}

/** Linear interpolation between closest ranks (type 7, as R and numpy do by default). */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Rate { n: number; churners: number; churnRate: number | null }

export function rate(n: number, churners: number): Rate {
  return { n, churners, churnRate: n > 0 ? churners / n : null };
}

/** Churn rate per band (RED / YELLOW / GREEN / UNKNOWN), each with its counts, in the given band order. */
export function churnByBand(rows: ReadonlyArray<{ band: string; churned: boolean }>, bands: readonly string[]): Array<Rate & { band: string }> {
  return bands.map((band) => {
    const of = rows.filter((r) => r.band === band);
    return { band, ...rate(of.length, of.filter((r) => r.churned).length) };
  });
}

/**
 * Top-decile lift: the churn rate among the lowest-scored 10 % of cases divided by the overall churn rate. The 10 %
 * is `n / 10` cases (not rounded); a group of equal scores that straddles the cut counts in proportion (its churn
 * rate times the share that falls inside): the expected value when ties are broken at random, so the figure does not
 * depend on an arbitrary order. Null without churners.
 */
export function topDecileLift(cases: readonly Case[], share = 0.1): { lift: number | null; churnRate: number | null } {
  const n = cases.length;
  const churners = cases.filter((c) => c.churned).length;
  if (n === 0 || churners === 0) return { lift: null, churnRate: null };
  const cut = n * share;
  let taken = 0;
  let churnedTaken = 0;
  for (const g of tieGroups(cases)) {
    const size = g.churned + g.retained;
    const take = Math.min(size, cut - taken);
    if (take <= 0) break;
    churnedTaken += g.churned * (take / size);
    taken += take;
  }
  const top = churnedTaken / taken;
  return { lift: top / (churners / n), churnRate: top };
}

export interface CalibrationBin extends Rate { from: number; to: number; meanScore: number | null }

/**
 * Calibration: the churn rate per tenth of the score scale ([0, 10), [10, 20) … [90, 100]). A model whose scores
 * mean something shows churn falling from the lowest tenth to the highest.
 */
export function calibration(cases: readonly Case[]): CalibrationBin[] {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: (i + 1) * 10, n: 0, churners: 0, sum: 0 }));
  for (const c of cases) {
    const b = bins[Math.min(9, Math.max(0, Math.floor(c.score / 10)))];
    b.n += 1;
    b.sum += c.score;
    if (c.churned) b.churners += 1;
  }
  return bins.map((b) => ({ from: b.from, to: b.to, ...rate(b.n, b.churners), meanScore: b.n ? b.sum / b.n : null }));
}

/** Mean of the values (null when none). */
export function mean(values: readonly number[]): number | null {
  if (!values.length) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
