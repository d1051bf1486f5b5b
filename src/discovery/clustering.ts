/**
 * Grouping usage profiles: pure functions over row-major Float64Arrays, deterministic for a seed.
 * - k-means: ml-kmeans (k-means++ start) on standardised columns, so every feature weighs alike.
 * - NMF: no maintained NMF package exists on npm, so a small Lee-Seung multiplicative-update NMF on
 *   the non-negative profiles (each column scaled to max 1); an account goes to its strongest factor.
 * - k, when not given: the k in [2, maxK] with the highest mean silhouette (ties: the smaller k) among the k
 *   whose groups all hold at least MIN_GROUP_SHARE of the accounts (silhouette favours splitting off outliers); the
 *   search run on a sample of at most SEARCH_SAMPLE accounts and the silhouette on at most
 *   SILHOUETTE_SAMPLE of them (silhouette is quadratic), then the chosen k fitted on every account by
 *   Lloyd iterations over typed arrays started from the sample's centroids (ml-kmeans works on arrays of
 *   points and took ~40 ms per iteration for 10,000 × 32: fine for a sample, too slow for 100,000).
 */
import { kmeans } from 'ml-kmeans';

export const SEARCH_SAMPLE = 3_000;
/** When k is chosen: a k that leaves a group smaller than this share of the accounts is not a persona split but outliers split off. */
export const MIN_GROUP_SHARE = 0.05;
export const SILHOUETTE_SAMPLE = 2_000;

export interface Matrix { n: number; p: number; data: Float64Array }

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` distinct indices of [0, n), sorted, drawn with `seed` (all of them when n <= size). */
export function sampleIndices(n: number, size: number, seed: number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= size) return all;
  const rnd = prng(seed);
  for (let i = 0; i < size; i++) { // partial Fisher-Yates
    const j = i + Math.floor(rnd() * (n - i));
    const t = all[i]; all[i] = all[j]; all[j] = t;
  }
  return all.slice(0, size).sort();
}

export function rows(m: Matrix, idx: Int32Array): Matrix {
  const data = new Float64Array(idx.length * m.p);
  for (let r = 0; r < idx.length; r++) data.set(m.data.subarray(idx[r] * m.p, (idx[r] + 1) * m.p), r * m.p);
  return { n: idx.length, p: m.p, data };
}

/** Column z-scores (a constant column becomes 0). */
export function standardise(m: Matrix): Matrix {
  const { n, p } = m;
  const out = new Float64Array(m.data);
  for (let j = 0; j < p; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = out[i * p + j]; s += v; s2 += v * v; }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
    for (let i = 0; i < n; i++) out[i * p + j] = sd > 1e-12 ? (out[i * p + j] - mean) / sd : 0;
  }
  return { n, p, data: out };
}

/** Each column divided by its maximum (non-negative data stays in [0, 1]). */
export function scaleToMax(m: Matrix): Matrix {
  const { n, p } = m;
  const out = new Float64Array(m.data);
  for (let j = 0; j < p; j++) {
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, out[i * p + j]);
    if (max > 0) for (let i = 0; i < n; i++) out[i * p + j] /= max;
  }
  return { n, p, data: out };
}

/** Row views for ml-kmeans (it takes arrays of points; typed-array rows index the same way, without copies). */
function points(m: Matrix): number[][] {
  return Array.from({ length: m.n }, (_, i) => m.data.subarray(i * m.p, (i + 1) * m.p) as unknown as number[]);
}

/** Restarts per k-means fit (seeds seed, seed+1, …); the fit with the least within-group variance is kept. */
export const KMEANS_RESTARTS = 5;

/** k-means, best of KMEANS_RESTARTS k-means++ starts: one start depends on its seed far more than the data deserves. */
export function kmeansLabels(m: Matrix, k: number, seed: number): Int32Array {
  const pts = points(m);
  let best: { labels: Int32Array; inertia: number } | null = null;
  for (let r = 0; r < KMEANS_RESTARTS; r++) {
    const labels = Int32Array.from(kmeans(pts, k, { seed: seed + r, initialization: 'kmeans++', maxIterations: 100 }).clusters);
    const inertia = withinVariance(m, labels, k);
    if (!best || inertia < best.inertia - 1e-9) best = { labels, inertia };
  }
  return best!.labels;
}

/** Sum of squared distances to the group centroids. */
export function withinVariance(m: Matrix, labels: Int32Array, k: number): number {
  const c = centroids(m, labels, k);
  let s = 0;
  for (let i = 0; i < m.n; i++) {
    for (let j = 0; j < m.p; j++) { const x = m.data[i * m.p + j] - c[labels[i] * m.p + j]; s += x * x; }
  }
  return s;
}

/** Labels of the nearest of the given centroids (used to extend a sample's clustering). */
export function nearest(m: Matrix, centroids: Float64Array, k: number): Int32Array {
  const { n, p, data } = m;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < p; j++) { const x = data[i * p + j] - centroids[c * p + j]; d += x * x; }
      if (d < bestD) { bestD = d; best = c; }
    }
    out[i] = best;
  }
  return out;
}

/**
 * NMF by multiplicative updates (Lee & Seung 2001, Frobenius norm): X (n × p, non-negative) ≈ W (n × k) · H (k × p).
 * The label of an account is the factor with the largest weight in its row of W (factors scaled to unit norm first).
 */
export function nmfLabels(m: Matrix, k: number, seed: number, iterations = 200): Int32Array {
  const { n, p, data: X } = m;
  const rnd = prng(seed);
  const W = Float64Array.from({ length: n * k }, () => rnd() + 0.01);
  const H = Float64Array.from({ length: k * p }, () => rnd() + 0.01);
  const eps = 1e-9;
  const HHt = new Float64Array(k * k), XHt = new Float64Array(n * k);
  const WtW = new Float64Array(k * k), WtX = new Float64Array(k * p);
  for (let it = 0; it < iterations; it++) {
    // H ← H ∘ (WᵀX) / (WᵀW H)
    WtW.fill(0); WtX.fill(0);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) {
        const wia = W[i * k + a];
        if (wia === 0) continue;
        for (let b = 0; b < k; b++) WtW[a * k + b] += wia * W[i * k + b];
        for (let j = 0; j < p; j++) WtX[a * p + j] += wia * X[i * p + j];
      }
    }
    for (let a = 0; a < k; a++) {
      for (let j = 0; j < p; j++) {
        let d = 0;
        for (let b = 0; b < k; b++) d += WtW[a * k + b] * H[b * p + j];
        H[a * p + j] *= WtX[a * p + j] / (d + eps);
      }
    }
    // W ← W ∘ (XHᵀ) / (W H Hᵀ)
    HHt.fill(0);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += H[a * p + j] * H[b * p + j];
      HHt[a * k + b] = s;
    }
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += X[i * p + j] * H[a * p + j];
        XHt[i * k + a] = s;
      }
      for (let a = 0; a < k; a++) {
        let d = 0;
        for (let b = 0; b < k; b++) d += W[i * k + b] * HHt[b * k + a];
        W[i * k + a] *= XHt[i * k + a] / (d + eps);
      }
    }
  }
  const norms = Array.from({ length: k }, (_, a) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += H[a * p + j] ** 2;
    return Math.sqrt(s) || 1;
  });
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bestV = -1;
    for (let a = 0; a < k; a++) { const v = W[i * k + a] * norms[a]; if (v > bestV) { bestV = v; best = a; } }
    out[i] = best;
  }
  return out;
}

/** Group centroids of a labelling (k × p). */
export function centroids(m: Matrix, labels: Int32Array, k: number): Float64Array {
  const { n, p, data } = m;
  const sums = new Float64Array(k * p);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    for (let j = 0; j < p; j++) sums[c * p + j] += data[i * p + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) sums[c * p + j] /= counts[c] || 1;
  return sums;
}

/** Mean silhouette (Euclidean) of a labelling; points alone in their group count 0. */
export function silhouette(m: Matrix, labels: Int32Array, k: number): number {
  const { n, p, data } = m;
  if (n < 2) return 0;
  const size = new Int32Array(k);
  for (let i = 0; i < n; i++) size[labels[i]]++;
  const sumTo = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sumTo.fill(0);
    for (let o = 0; o < n; o++) {
      if (o === i) continue;
      let d = 0;
      for (let j = 0; j < p; j++) { const x = data[i * p + j] - data[o * p + j]; d += x * x; }
      sumTo[labels[o]] += Math.sqrt(d);
    }
    const own = labels[i];
    if (size[own] <= 1) continue;
    const a = sumTo[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sumTo[c] / size[c]);
    if (!Number.isFinite(b)) continue;
    total += (b - a) / Math.max(a, b) || 0;
  }
  return total / n;
}

/** Adjusted Rand index of two labellings of the same points (1 = identical up to renaming, ~0 = chance). */
export function adjustedRandIndex<T extends number | string>(a: ArrayLike<T>, b: ArrayLike<number | string>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const rowsA = new Map<T, number>();
  const colsB = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}|${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowsA.set(a[i], (rowsA.get(a[i]) ?? 0) + 1);
    colsB.set(b[i], (colsB.get(b[i]) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0, sa = 0, sb = 0;
  for (const v of table.values()) index += c2(v);
  for (const v of rowsA.values()) sa += c2(v);
  for (const v of colsB.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Relabel so that groups are numbered by size (largest first; ties by first member): the same partition always reads the same. */
export function canonical(labels: Int32Array, k: number): { labels: Int32Array; k: number } {
  const size = new Int32Array(k);
  const first = new Int32Array(k).fill(-1);
  labels.forEach((c, i) => { size[c]++; if (first[c] < 0) first[c] = i; });
  const order = Array.from({ length: k }, (_, c) => c).filter((c) => size[c] > 0)
    .sort((x, y) => size[y] - size[x] || first[x] - first[y]);
  const map = new Int32Array(k);
  order.forEach((c, i) => { map[c] = i; });
  return { labels: labels.map((c) => map[c]), k: order.length };
}

export interface GroupingOptions {
  k: number | null; maxK: number; seed: number; method: 'KMEANS' | 'NMF';
  /** Per column, multiplied in after scaling (e.g. so that a type with many subjects is not counted many times). */
  weights?: Float64Array;
}

/**
 * Column weights: the `subject:<type>:…` columns of one type share one column's weight (1/√m each, so their squared
 * distances add up to one column's): five user ids of `login` must not outweigh `share:meeting` fivefold.
 */
export function featureWeights(features: string[]): Float64Array {
  const perType = new Map<string, number>();
  const typeOf = (f: string) => (f.startsWith('subject:') ? f.slice(8, f.lastIndexOf(':')) : null);
  for (const f of features) { const t = typeOf(f); if (t !== null) perType.set(t, (perType.get(t) ?? 0) + 1); }
  return Float64Array.from(features, (f) => { const t = typeOf(f); return t === null ? 1 : 1 / Math.sqrt(perType.get(t)!); });
}

function weighted(m: Matrix, w: Float64Array | undefined): Matrix {
  if (!w) return m;
  const out = new Float64Array(m.data);
  for (let i = 0; i < m.n; i++) for (let j = 0; j < m.p; j++) out[i * m.p + j] *= w[j];
  return { n: m.n, p: m.p, data: out };
}
export interface Grouping { labels: Int32Array; k: number; candidates: Array<{ k: number; silhouette: number; smallestGroupShare: number }>; kChosenBy: string }

/**
 * Group the profiles (raw, non-negative; n × p). `onStep` is told after each k tried (for progress).
 */
export async function group(raw: Matrix, opts: GroupingOptions, onStep: (done: number, total: number) => Promise<void> | void = () => undefined): Promise<Grouping> {
  const z = weighted(standardise(raw), opts.weights);
  const input = opts.method === 'NMF' ? weighted(scaleToMax(raw), opts.weights) : z;
  const fit = (m: Matrix, k: number) => (opts.method === 'NMF' ? nmfLabels(m, k, opts.seed) : kmeansLabels(m, k, opts.seed));
  const maxK = Math.min(opts.maxK, raw.n - 1);
  const ks = opts.k ? [opts.k] : Array.from({ length: Math.max(0, maxK - 1) }, (_, i) => i + 2);
  const candidates: Grouping['candidates'] = [];
  // Search on a sample; silhouettes (in the standardised space, whatever the method) on a smaller one.
  const searchIdx = sampleIndices(raw.n, SEARCH_SAMPLE, opts.seed);
  const search = rows(input, searchIdx);
  const silIdx = sampleIndices(search.n, SILHOUETTE_SAMPLE, opts.seed + 1);
  const silPoints = rows(rows(z, searchIdx), silIdx);
  let chosen: { k: number; silhouette: number; labels: Int32Array } | null = null;
  for (const [step, k] of ks.entries()) {
    const labels = fit(search, k);
    const s = silhouette(silPoints, Int32Array.from(silIdx, (i) => labels[i]), k);
    const sizes = new Int32Array(k);
    labels.forEach((c) => { sizes[c]++; });
    const smallestGroupShare = Math.min(...sizes) / labels.length;
    candidates.push({ k, silhouette: s, smallestGroupShare });
    const eligible = opts.k !== null || k === 2 || smallestGroupShare >= MIN_GROUP_SHARE;
    if (eligible && (!chosen || s > chosen.silhouette + 1e-9)) chosen = { k, silhouette: s, labels };
    await onStep(step + 1, ks.length + 1); // also lets the event loop breathe between fits
  }
  if (!chosen) throw new Error('No k to try: the scope needs at least 3 accounts.');
  let labels: Int32Array;
  if (searchIdx.length === raw.n) labels = chosen.labels;
  else if (opts.method === 'NMF') labels = fit(input, chosen.k);
  else {
    // k-means on every account, started from the sample's centroids (the search already did the hard part).
    labels = lloyd(input, centroids(search, chosen.labels, chosen.k), chosen.k);
  }
  await onStep(ks.length + 1, ks.length + 1);
  const c = canonical(labels, chosen.k);
  return {
    labels: c.labels, k: c.k, candidates,
    kChosenBy: opts.k ? 'given' : `highest mean silhouette over k = 2…${maxK} with every group at least ${MIN_GROUP_SHARE * 100}% of the accounts`
      + `${searchIdx.length < raw.n ? ` (searched on a sample of ${searchIdx.length} accounts)` : ''}`,
  };
}

/** Lloyd's k-means iterations from the given centroids until no account changes group (at most `maxIterations`). */
export function lloyd(m: Matrix, start: Float64Array, k: number, maxIterations = 100): Int32Array {
  let c = start;
  let labels = nearest(m, c, k);
  for (let it = 0; it < maxIterations; it++) {
    c = centroids(m, labels, k);
    const next = nearest(m, c, k);
    let moved = 0;
    for (let i = 0; i < m.n; i++) if (next[i] !== labels[i]) moved++;
    labels = next;
    if (moved === 0) break;
  }
  return labels;
}
