/**
 * Suggested weights (pure): the fit recovers known weights from synthetic churn generated through the coin's own
 * renormalised formula; a component without evidence goes to ~0; learned bands are monotone; cross-validation
 * measures out of sample.
 */
import { coinUnder, crossValidate, fitWeights, learnBands, learnCategories, pava, projectSimplex, type FitCase, type Side } from '../src/backtests/fit';
import { seededRandom } from '../src/backtests/statistics';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Churn drawn from σ(a − b·coin/100) with coin under `theta`; every component missing 15 % of the time. */
function synthetic(n: number, theta: number[], sides: Side[], seed: number, a = 2, b = 6): FitCase[] {
  const random = seededRandom(seed);
  const out: FitCase[] = [];
  while (out.length < n) {
    const scores = theta.map(() => (random() < 0.15 ? null : random() * 100));
    const coin = coinUnder(theta, sides, scores);
    if (coin === null) continue;
    out.push({ churned: random() < sigmoid(a - (b * coin) / 100), scores });
  }
  return out;
}

describe('suggested weights (fit)', () => {
  const sides: Side[] = ['REACTIVE', 'REACTIVE', 'PROACTIVE', 'REACTIVE'];
  const truth = [0.5, 0.3, 0.2, 0];

  it('coinUnder is the product rule: sides renormalised over present components, side weight = Σθ of the side', () => {
    // R: θ 0.5·80 + 0.3·20 over 0.8 → 57.5 (side weight 0.8 incl. the missing 4th); P: 40 (weight 0.2)
    expect(coinUnder([0.5, 0.3, 0.2, 0.1], sides, [80, 20, 40, null])).toBeCloseTo((57.5 * 0.9 + 40 * 0.2) / 1.1, 12);
    expect(coinUnder([0.5, 0.3, 0.2, 0], sides, [null, null, 40, null])).toBe(40); // reactive side missing
    expect(coinUnder([0.5, 0.3, 0.2, 0], sides, [null, null, null, null])).toBeNull();
  });

  it('projects onto the simplex', () => {
    expect(projectSimplex([0.5, 0.5])).toEqual([0.5, 0.5]);
    expect(projectSimplex([2, 0])).toEqual([1, 0]);
    const p = projectSimplex([0.9, 0.4, -3]);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 12);
    expect(p).toEqual([0.75, 0.25, 0]);
  });

  it('recovers known weights (incl. the side weights) and sends a component without evidence to ~0', () => {
    const cases = synthetic(20000, truth, sides, 3);
    const fit = fitWeights(cases, sides, [0.25, 0.25, 0.25, 0.25]);
    fit.theta.forEach((t, i) => expect(Math.abs(t - truth[i])).toBeLessThan(0.05));
    expect(fit.theta[3]).toBeLessThan(0.02);
    expect(Math.abs(fit.b - 6)).toBeLessThan(1);
  });

  it('cross-validated AUC of the fit beats equal weights out of sample when the truth is unequal', () => {
    const cases = synthetic(4000, [0.8, 0, 0.2, 0], sides, 5);
    const cv = crossValidate(cases, sides, [0.25, 0.25, 0.25, 0.25], { folds: 5 });
    expect(cv.suggestedPerFold).toHaveLength(5);
    expect(cv.suggested!).toBeGreaterThan(cv.current! + 0.02);
  });

  it('PAVA makes a sequence non-decreasing by pooling neighbours', () => {
    expect(pava([1, 3, 2, 4], [1, 1, 1, 1])).toEqual([1, 2.5, 2.5, 4]);
    expect(pava([3, 1], [1, 3])).toEqual([1.5, 1.5]);
  });

  it('learned bands are monotone in the direction the data says, scaled 0-100, and cover every value', () => {
    // churn falls with v: v < 10 churn 80 %, 10..20 40 %, ≥ 20 10 %
    const random = seededRandom(11);
    const pairs = Array.from({ length: 3000 }, () => { const v = random() * 30; return { v, churned: random() < (v < 10 ? 0.8 : v < 20 ? 0.4 : 0.1) }; });
    const fn = learnBands(pairs)!;
    expect(fn.type).toBe('BANDS');
    const bands = (fn as any).bands as Array<{ min: number; score: number }>;
    expect(bands[0].min).toBeLessThan(-1e9);
    for (let i = 1; i < bands.length; i++) { expect(bands[i].min).toBeGreaterThan(bands[i - 1].min); expect(bands[i].score).toBeGreaterThan(bands[i - 1].score); }
    expect(bands[0].score).toBe(0);
    expect(bands[bands.length - 1].score).toBe(100);
    // and the other way round when churn rises with v
    const rising = learnBands(pairs.map((p) => ({ v: -p.v, churned: p.churned })))! as any;
    expect(rising.bands[0].score).toBe(100);
  });

  it('learned categories score each value by its (smoothed) retention', () => {
    const pairs = [...Array(50).fill({ v: 'Month-to-month', churned: true }), ...Array(50).fill({ v: 'Two year', churned: false }), { v: 'One year', churned: false }];
    const fn = learnCategories(pairs) as any;
    const score = (v: string) => fn.categories.find((c: any) => c.value === v).score;
    expect(score('Month-to-month')).toBe(0);
    expect(score('Two year')).toBe(100);
    expect(score('One year')).toBeGreaterThan(50);
    expect(fn.defaultScore).toBeGreaterThan(0);
  });
});
