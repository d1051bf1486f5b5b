/**
 * The two tables a new kind of metric or scoring function is added to (HEALTH-MODEL.md "Scoring, exactly" steps 3
 * and 4). Everything else in the engine is written against them.
 */

/** Aggregates one pass over the signals computes per account × metric spec (the columns of _metric_values). */
export type MetricColumn = 'n' | 'days' | 'subjects' | 'sum_v' | 'n_v' | 'min_v' | 'max_v' | 'latest_v' | 'last_at';

export interface MetricKind {
  /** The _metric_values columns its value is computed from (so a spec computes only what its components read). */
  reads: MetricColumn[];
  /** Counts signals inside the component's window; false: ignores the window (DAYS_SINCE). */
  windowed: boolean;
  /** Measured from signals of a type; false: from the journey (JOURNEY_ADHERENCE). */
  fromSignals: boolean;
  /**
   * Its value as SQL over the component `c`, the account × outcome `ao` (attributes, d), its metric row `mv`, `$2`
   * the asOf and `adherence` the journey adherence expression; NULL is *missing*.
   */
  value: (adherence: string) => string;
  /**
   * Its value is 0 for an account without a signal in the window (a count or a sum of nothing): a PERCENTILE peer pass
   * counts such peers instead of listing them (engine.percentile.ts).
   */
  zeroWithoutSignals?: boolean;
}

/** Step 3: the metric kinds (aggregations). */
export const METRIC_KINDS: Record<string, MetricKind> = {
  COUNT: { reads: ['n'], windowed: true, fromSignals: true, value: () => `coalesce(mv.n, 0)::float8`, zeroWithoutSignals: true },
  DISTINCT_DAYS: { reads: ['days'], windowed: true, fromSignals: true, value: () => `coalesce(mv.days, 0)::float8`, zeroWithoutSignals: true },
  DISTINCT_SUBJECTS: { reads: ['subjects'], windowed: true, fromSignals: true, value: () => `coalesce(mv.subjects, 0)::float8`, zeroWithoutSignals: true },
  SUM: { reads: ['sum_v'], windowed: true, fromSignals: true, value: () => `coalesce(mv.sum_v, 0)::float8`, zeroWithoutSignals: true },
  AVG: { reads: ['sum_v', 'n_v'], windowed: true, fromSignals: true, value: () => `(mv.sum_v / NULLIF(mv.n_v, 0))::float8` },
  MIN: { reads: ['min_v'], windowed: true, fromSignals: true, value: () => `mv.min_v` },
  MAX: { reads: ['max_v'], windowed: true, fromSignals: true, value: () => `mv.max_v` },
  LATEST: { reads: ['latest_v'], windowed: true, fromSignals: true, value: () => `mv.latest_v` },
  // never since the start: d
  DAYS_SINCE: { reads: ['last_at'], windowed: false, fromSignals: true,
    value: () => `coalesce(floor(extract(epoch FROM ($2::timestamptz - mv.last_at)) / 86400)::float8, ao.d::float8)` },
  JOURNEY_ADHERENCE: { reads: [], windowed: false, fromSignals: false, value: (adherence) => adherence },
  // What the account is: a numeric attribute (today's: attributes have no history; CATEGORICAL reads it as text) …
  ATTRIBUTE: { reads: [], windowed: false, fromSignals: false,
    value: () => `CASE WHEN jsonb_typeof(ao.attributes -> c.attr) = 'number' THEN (ao.attributes ->> c.attr)::float8 END` },
  // … and its tenure, the journey day d.
  JOURNEY_DAY: { reads: [], windowed: false, fromSignals: false, value: () => `ao.d::float8` },
};

export interface ScoringFunction {
  /**
   * The component score in [0, 100] as SQL over `val.v` (the metric value, not null), `f` its scoring function row
   * (_scoring_fns: floor, target, hib, fn_id) and `rank(col)` the PERCENTILE peer distribution's lower/equal/total.
   */
  score: (x: { bands: string; categorical: string; rank: (col: 'lower' | 'equal' | 'total') => string }) => string;
  /** Scores the attribute's text `val.tv` (so a missing numeric value does not make it missing). */
  text?: boolean;
}

/** Step 4: the scoring functions, by ScoringFn.type. */
export const SCORING_FUNCTIONS: Record<string, ScoringFunction> = {
  LINEAR: { score: () => `CASE WHEN f.floor = f.target THEN CASE WHEN val.v >= f.target THEN 100::float8 ELSE 0::float8 END
                  ELSE GREATEST(0::float8, LEAST(1::float8, (val.v - f.floor) / (f.target - f.floor))) * 100::float8 END` },
  // one CASE per BANDS function over constants (bandsSql in engine.scores.ts)
  BANDS: { score: ({ bands }) => bands },
  // among the cluster peers with a value: (worse + ½ × equal, this one excluded) / (peers with a value − 1); 50 alone
  PERCENTILE: { score: ({ rank }) => `CASE WHEN ${rank('total')} <= 1 THEN 50::float8
                  ELSE 100::float8 * (CASE WHEN f.hib THEN ${rank('lower')} ELSE ${rank('total')} - ${rank('lower')} - ${rank('equal')} END
                                      + 0.5::float8 * (${rank('equal')} - 1)) / (${rank('total')} - 1) END` },
  // one CASE per CATEGORICAL function over its listed values, else its default (categoricalSql in engine.scores.ts)
  CATEGORICAL: { score: ({ categorical }) => categorical, text: true },
};
