/**
 * Suggested weights (pure): the fit recovers known weights from synthetic churn generated through the coin's own
 * renormalised formula; a component without evidence goes to ~0; learned bands are monotone; cross-validation
 * measures out of sample.
 */
import { coinUnder, crossValidate, fitWeights, learnBands, learnCategories, learnScorecard, pava, projectSimplex, rescore, type FitCase, type Side } from '../src/backtests/fit';
import { ridgeLogistic } from '../src/backtests/scorecard';
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

  it('the ridge logistic regression recovers known log-odds of indicator features', () => {
    // two features of three levels each (indices 0-2 and 3-5), logit = 0.5 + level effects; level 0 of each is the reference
    const random = seededRandom(21);
    const effA = [0, -1, -2], effB = [0, 0.8, 1.6];
    const x: number[][] = [], y: boolean[] = [];
    for (let i = 0; i < 40000; i++) {
      const a = Math.floor(random() * 3), b = Math.floor(random() * 3);
      x.push([a, 3 + b]);
      y.push(random() < sigmoid(0.5 + effA[a] + effB[b]));
    }
    const { beta, intercept } = ridgeLogistic(x, y, 6, 1e-6);
    // identified up to a constant per feature (moved into the intercept): compare differences to the reference level
    for (let l = 1; l < 3; l++) {
      expect(Math.abs(beta[l] - beta[0] - effA[l])).toBeLessThan(0.08);
      expect(Math.abs(beta[3 + l] - beta[3] - effB[l])).toBeLessThan(0.08);
    }
    expect(Math.abs(intercept + beta[0] + beta[3] - 0.5)).toBeLessThan(0.08);
  });

  it('the scorecard fits levels jointly: a component that only echoes another gets ~no weight, the other its true steps', () => {
    // churn depends on v1 alone (steps at 10 and 20, equal in log-odds); v2 copies v1 80 % of the time. Marginally v2
    // looks predictive; jointly it carries nothing.
    const random = seededRandom(22);
    const cases: FitCase[] = [];
    for (let i = 0; i < 20000; i++) {
      const v1 = random() * 30;
      const v2 = random() < 0.8 ? v1 : random() * 30;
      const logit = 1 - 1.2 * Number(v1 >= 10) - 1.2 * Number(v1 >= 20);
      cases.push({ churned: random() < sigmoid(logit), scores: [50, 50], raw: [v1, v2] });
    }
    const card = learnScorecard(cases, 2);
    expect(card.start[0]).toBeGreaterThan(0.85);
    expect(card.start[1]).toBeLessThan(0.15);
    const bands = (card.fns[0] as any).bands as Array<{ min: number; score: number }>;
    const at = (v: number) => rescore([{ churned: false, scores: [50, 50], raw: [v, 0] }], card.fns)[0].scores[0]!;
    expect(at(5)).toBeLessThan(8);
    expect(Math.abs(at(15) - 50)).toBeLessThan(8); // equal log-odds steps: the middle band halfway
    expect(at(25)).toBeGreaterThan(92);
    // cut points where the truth steps (quantile bins of 2 %: within one bin of 10 and 20)
    expect(bands.some((b) => Math.abs(b.min - 10) < 0.7)).toBe(true);
    expect(bands.some((b) => Math.abs(b.min - 20) < 0.7)).toBe(true);
    for (let i = 1; i < bands.length; i++) expect(bands[i].score).toBeGreaterThanOrEqual(bands[i - 1].score);
  });

  it('the scorecard keeps numeric bands monotone, scores categories jointly, and an unseen category as the average case', () => {
    const random = seededRandom(23);
    const plans = ['basic', 'pro', 'team'];
    const cases: FitCase[] = Array.from({ length: 6000 }, () => {
      const v = random() * 100, plan = plans[Math.floor(random() * 3)];
      const logit = -0.5 + (v < 50 ? 0.8 : 0) + (plan === 'basic' ? 0.7 : plan === 'team' ? -0.7 : 0);
      return { churned: random() < sigmoid(logit), scores: [50, 50], raw: [v, plan] };
    });
    const card = learnScorecard(cases, 2);
    const bands = (card.fns[0] as any).bands as Array<{ min: number; score: number }>;
    const up = bands.every((b, i) => i === 0 || b.score >= bands[i - 1].score);
    const down = bands.every((b, i) => i === 0 || b.score <= bands[i - 1].score);
    expect(up || down).toBe(true);
    expect(bands[0].score).toBe(0); // low v churns more
    const cats = card.fns[1] as any;
    expect(cats.type).toBe('CATEGORICAL');
    const score = (p: string) => cats.categories.find((c: any) => c.value === p).score;
    expect(score('basic')).toBe(0);
    expect(score('team')).toBe(100);
    expect(score('pro')).toBeGreaterThan(30);
    expect(score('pro')).toBeLessThan(70);
    expect(cats.defaultScore).toBeGreaterThan(score('basic'));
    expect(cats.defaultScore).toBeLessThan(score('team'));
  });
});
