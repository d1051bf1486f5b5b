/**
 * The backtest's figures against examples worked by hand (pure functions, no server).
 */
import { auc, bootstrapAucInterval, calibration, churnByBand, quantile, seededRandom, topDecileLift, type Case } from '../src/backtests/statistics';

const C = (score: number): Case => ({ score, churned: true });
const R = (score: number): Case => ({ score, churned: false });

describe('backtest statistics', () => {
  // churned 10, 20, 40; retained 20, 30, 50. Pairs (retained vs churned):
  //   r20: > c10 (1), = c20 (½), < c40 (0) → 1.5;  r30: 1 + 1 + 0 → 2;  r50: 1 + 1 + 1 → 3.   6.5 / 9.
  const example = [C(10), C(20), R(20), R(30), C(40), R(50)];

  it('AUC counts a tie as half a pair', () => {
    expect(auc(example)).toBeCloseTo(6.5 / 9, 12);
    expect(auc([C(1), R(1)])).toBe(0.5);
    expect(auc([C(1), C(2), R(3), R(4)])).toBe(1);
    expect(auc([R(1), C(2)])).toBe(0);
    // the order of the input does not matter
    expect(auc([...example].reverse())).toBeCloseTo(6.5 / 9, 12);
  });

  it('AUC is null without both classes', () => {
    expect(auc([C(1), C(2)])).toBeNull();
    expect(auc([R(1)])).toBeNull();
    expect(auc([])).toBeNull();
  });

  it('top-decile lift: lowest 10 % churn rate over the overall rate; a tie group across the cut counts in proportion', () => {
    // n = 6 → the lowest 0.6 case: part of the lone score 10, which churned → rate 1; overall 3/6 → lift 2.
    expect(topDecileLift(example)).toEqual({ lift: 2, churnRate: 1 });
    // n = 10 → the lowest 1 case; the two cases at score 5 (one churned) straddle the cut: ½ churned → rate 0.5;
    // overall 2/10 → lift 2.5.
    const tied = [C(5), R(5), C(50), ...[60, 61, 62, 63, 64, 65, 66].map(R)];
    expect(topDecileLift(tied).lift).toBeCloseTo(2.5, 12);
    expect(topDecileLift([R(1), R(2)]).lift).toBeNull();
  });

  it('calibration: churn rate per tenth of the score scale, with counts and mean score', () => {
    const bins = calibration([...example, R(100), C(0), R(9.99)]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ from: 0, to: 10, n: 2, churners: 1, churnRate: 0.5, meanScore: 9.99 / 2 });
    expect(bins[1]).toEqual({ from: 10, to: 20, n: 1, churners: 1, churnRate: 1, meanScore: 10 });
    expect(bins[2]).toEqual({ from: 20, to: 30, n: 2, churners: 1, churnRate: 0.5, meanScore: 20 });
    expect(bins[6]).toEqual({ from: 60, to: 70, n: 0, churners: 0, churnRate: null, meanScore: null });
    expect(bins[9]).toMatchObject({ n: 1, churners: 0, churnRate: 0 }); // 100 falls in the last tenth
  });

  it('churn per band, in the order asked, with counts', () => {
    const rows = [{ band: 'RED', churned: true }, { band: 'RED', churned: false }, { band: 'GREEN', churned: false }];
    expect(churnByBand(rows, ['RED', 'YELLOW', 'GREEN'])).toEqual([
      { band: 'RED', n: 2, churners: 1, churnRate: 0.5 },
      { band: 'YELLOW', n: 0, churners: 0, churnRate: null },
      { band: 'GREEN', n: 1, churners: 0, churnRate: 0 },
    ]);
  });

  it('quantile interpolates between closest ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
  });

  it('bootstrap interval: reproducible under its seed, degenerate when the classes separate perfectly', () => {
    const a = bootstrapAucInterval(example, { samples: 300, seed: 7 });
    expect(a).toEqual(bootstrapAucInterval(example, { samples: 300, seed: 7 }));
    expect(a!.low).toBeLessThanOrEqual(6.5 / 9);
    expect(a!.high).toBeGreaterThanOrEqual(6.5 / 9);
    expect(bootstrapAucInterval([C(1), C(2), R(3), R(4), C(0), R(9)], { samples: 200 })).toEqual({ low: 1, high: 1 });
    expect(bootstrapAucInterval([C(1)], {})).toBeNull();
  });

  it('bootstrap interval: contains 0.5 for random labels and excludes it for an informative score', () => {
    const random = seededRandom(99);
    const noise = Array.from({ length: 2000 }, () => ({ score: random() * 100, churned: random() < 0.2 }));
    const ci = bootstrapAucInterval(noise)!;
    expect(ci.low).toBeLessThan(0.5);
    expect(ci.high).toBeGreaterThan(0.5);
    // churn twice as likely below 50
    const signal = Array.from({ length: 2000 }, () => { const score = random() * 100; return { score, churned: random() < (score < 50 ? 0.3 : 0.1) }; });
    const ci2 = bootstrapAucInterval(signal)!;
    expect(ci2.low).toBeGreaterThan(0.55);
    expect(ci2.high - ci2.low).toBeLessThan(0.1);
  });
});
