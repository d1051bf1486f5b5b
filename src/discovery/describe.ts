/**
 * Describing discovered groups in words ops can keep:
 * - a rule over account attributes, from a shallow decision tree (ml-cart, depth 2) fitted one group
 *   against the rest on a sample of at most TREE_SAMPLE accounts (its split search is quadratic), turned
 *   into the product's cluster-rule form and measured (precision, recall) on every account in SQL;
 * - the usage features that set the group apart (effect size against the other accounts).
 */
import { DecisionTreeClassifier, type CartNode } from 'ml-cart';
import { ruleToSql, ruleToText } from '../rules/rule.sql';
import { RuleOperator, type RuleJson } from '../rules/rule.types';
import type { TenantScope } from '../shared/tenant';
import type { Matrix } from './clustering';
import type { UsageTrait } from './discovery.types';

export const TREE_SAMPLE = 1_000;
/** A rule is proposed only when it matches the group this well; below, the group is described by usage alone. */
export const MIN_PRECISION = 0.8;
export const MIN_RECALL = 0.6;
/** A string attribute with more distinct values than this is an identifier or free text, not a segment. */
const MAX_CATEGORIES = 12;
/** A numeric attribute must be a number on at least this share of the accounts (the rest are filled with the median). */
const MIN_NUMERIC_SHARE = 0.9;

type Column =
  | { kind: 'boolean'; attribute: string }
  | { kind: 'category'; attribute: string; value: string }
  | { kind: 'number'; attribute: string; fill: number };

interface Condition { column: number; below: boolean; threshold: number }

/** The attributes of the scope's accounts that can describe a segment (optionally only the named ones). */
export async function attributeColumns(scope: TenantScope, clusterId: string | null, only: string[] | null): Promise<Column[]> {
  const rows = await scope.query<{ key: string; type: string; n: number; values: unknown[] | null; median: number | null; total: number }>(
    `WITH acc AS (SELECT a.attributes FROM accounts a WHERE a.workspace_id = $1 AND ($2::uuid IS NULL OR a.cluster_id = $2::uuid)),
          kv AS (SELECT e.key, jsonb_typeof(e.value) AS type, e.value FROM acc CROSS JOIN LATERAL jsonb_each(acc.attributes) e
                  WHERE $3::text[] IS NULL OR e.key = ANY($3::text[]))
     SELECT key, type, count(*)::int AS n,
            CASE WHEN type IN ('string', 'boolean') AND count(DISTINCT value) <= ${MAX_CATEGORIES}
                 THEN array_agg(DISTINCT value #>> '{}') END AS values,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN type = 'number' THEN (value #>> '{}')::float8 END) AS median,
            (SELECT count(*) FROM acc)::int AS total
       FROM kv GROUP BY key, type ORDER BY key, type`,
    [clusterId, only],
  );
  const columns: Column[] = [];
  for (const r of rows) {
    if (r.type === 'boolean') columns.push({ kind: 'boolean', attribute: r.key });
    else if (r.type === 'number' && r.n >= MIN_NUMERIC_SHARE * r.total) columns.push({ kind: 'number', attribute: r.key, fill: r.median ?? 0 });
    else if (r.type === 'string' && r.values && r.values.length > 1) {
      for (const value of (r.values as string[]).sort()) columns.push({ kind: 'category', attribute: r.key, value });
    }
  }
  return columns;
}

/** Attribute rows of the given accounts, encoded for the tree (booleans and categories as 0/1). */
export async function encodeAccounts(scope: TenantScope, ids: string[], columns: Column[]): Promise<number[][]> {
  const rows = await scope.query<{ id: string; attributes: Record<string, unknown> }>(
    `SELECT a.id, a.attributes FROM accounts a WHERE a.workspace_id = $1 AND a.id = ANY($2::uuid[])`, [ids]);
  const byId = new Map(rows.map((r) => [r.id, r.attributes]));
  return ids.map((id) => {
    const attrs = byId.get(id) ?? {};
    return columns.map((c) => {
      const v = attrs[c.attribute];
      if (c.kind === 'boolean') return v === true ? 1 : 0;
      if (c.kind === 'category') return v === c.value ? 1 : 0;
      return typeof v === 'number' && Number.isFinite(v) ? v : c.fill;
    });
  });
}

/** The conditions of a tree's leaves that predict the group (an OR of ANDs), simplified on the sample. */
export function fitRule(x: number[][], y: number[], columns: Column[]): Condition[][] | null {
  if (!columns.length || !y.includes(1) || !y.includes(0)) return null;
  const tree = new DecisionTreeClassifier({ gainFunction: 'gini', maxDepth: 2, minNumSamples: Math.max(5, Math.floor(x.length / 100)) });
  tree.train(x, y);
  // Leaves that predict the group; a split whose two sides both predict it says nothing, so it is dropped.
  const positive = (node: CartNode): boolean => {
    if (node.left && node.right) return positive(node.left) && positive(node.right);
    return !!node.distribution && node.distribution.columns > 1 && node.distribution.get(0, 1) > 0.5;
  };
  const paths: Condition[][] = [];
  const walk = (node: CartNode, path: Condition[]) => {
    if (positive(node)) {
      if (path.length) paths.push(path);
    } else if (node.left && node.right && node.splitColumn !== undefined && node.splitValue !== undefined) {
      walk(node.left, [...path, { column: node.splitColumn, below: true, threshold: node.splitValue }]);
      walk(node.right, [...path, { column: node.splitColumn, below: false, threshold: node.splitValue }]);
    }
  };
  walk(tree.root, []);
  if (!paths.length) return null;
  // Keep a shorter rule when it does (almost) as well on the sample: fewer conditions read better.
  const f1 = (ps: Condition[][]) => {
    let tp = 0, pred = 0, pos = 0;
    x.forEach((row, i) => {
      const hit = ps.some((conds) => conds.every((c) => (row[c.column] < c.threshold) === c.below));
      if (hit) pred++;
      if (y[i] === 1) { pos++; if (hit) tp++; }
    });
    return tp === 0 ? 0 : (2 * tp) / (pred + pos);
  };
  const best = f1(paths);
  const shorter = paths.length === 1 && paths[0].length > 1 ? paths[0].map((c) => [[c]]).filter((ps) => f1(ps) >= best - 0.02) : [];
  return shorter.length ? shorter.sort((a, b) => f1(b) - f1(a))[0] : paths;
}

/** Turn tree conditions into the product's rule form, e.g. `managed = true AND plan = "enterprise"`. */
export function toRule(paths: Condition[][], columns: Column[]): RuleJson {
  const one = (conds: Condition[]): RuleJson => {
    const parts: RuleJson[] = [];
    const eq = new Map<string, RuleJson>();
    const neq = new Map<string, unknown[]>();
    const bounds = new Map<string, { lt?: number; gte?: number }>();
    for (const c of conds) {
      const col = columns[c.column];
      if (col.kind === 'number') {
        const b = bounds.get(col.attribute) ?? {};
        const t = roundThreshold(c.threshold);
        if (c.below) b.lt = b.lt === undefined ? t : Math.min(b.lt, t);
        else b.gte = b.gte === undefined ? t : Math.max(b.gte, t);
        bounds.set(col.attribute, b);
      } else {
        const value = col.kind === 'boolean' ? true : col.value;
        if (!c.below) eq.set(col.attribute, { attribute: col.attribute, op: RuleOperator.EQ, value });
        else neq.set(col.attribute, [...(neq.get(col.attribute) ?? []), value]);
      }
    }
    for (const r of eq.values()) parts.push(r);
    for (const [attribute, values] of neq) {
      if (eq.has(attribute)) continue; // `plan = "a"` already excludes `plan != "b"`
      parts.push(values.length === 1 ? { attribute, op: RuleOperator.NEQ, value: values[0] } : { attribute, op: RuleOperator.NOT_IN, value: values });
    }
    for (const [attribute, b] of bounds) {
      if (b.gte !== undefined) parts.push({ attribute, op: RuleOperator.GTE, value: b.gte });
      if (b.lt !== undefined) parts.push({ attribute, op: RuleOperator.LT, value: b.lt });
    }
    return parts.length === 1 ? parts[0] : { all: parts };
  };
  return paths.length === 1 ? one(paths[0]) : { any: paths.map(one) };
}

/** Three significant digits: `arr >= 35000`, not `arr >= 34987.5`. */
function roundThreshold(t: number): number {
  if (t === 0 || !Number.isFinite(t)) return t;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(t))) - 2);
  return Math.round(t / scale) * scale;
}

/** Precision and recall of each group's rule over every account of the discovery: one statement. */
export async function measureRules(scope: TenantScope, discoveryId: string, rules: Array<{ group: number; rule: RuleJson }>): Promise<Map<number, { precision: number; recall: number }>> {
  if (!rules.length) return new Map();
  const params: unknown[] = [discoveryId];
  const cols = rules.map(({ group, rule }, i) => {
    const when = ruleToSql(rule, 'a', params, 1);
    params.push(group);
    const g = `$${params.length + 1}::int`;
    return `count(*) FILTER (WHERE ${when} AND m.group_index = ${g})::int AS tp${i}, count(*) FILTER (WHERE ${when})::int AS matched${i},
            count(*) FILTER (WHERE m.group_index = ${g})::int AS size${i}`;
  });
  const [row] = await scope.query<Record<string, number>>(
    `SELECT ${cols.join(', ')} FROM cluster_discovery_members m
       JOIN accounts a ON a.workspace_id = $1 AND a.id = m.account_id
      WHERE m.workspace_id = $1 AND m.discovery_id = $2`, params);
  return new Map(rules.map(({ group }, i) => [group, {
    precision: row[`matched${i}`] ? row[`tp${i}`] / row[`matched${i}`] : 0,
    recall: row[`size${i}`] ? row[`tp${i}`] / row[`size${i}`] : 0,
  }]));
}

export function describeRule(rule: RuleJson): string {
  return ruleToText(rule);
}

/** Per group, the features whose mean differs most from the other accounts' (in standard deviations), strongest first. */
export function traits(raw: Matrix, features: string[], labels: Int32Array, k: number, top = 4): UsageTrait[][] {
  const { n, p, data } = raw;
  const sum = new Float64Array(k * p), count = new Float64Array(k), all = new Float64Array(p), all2 = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const g = labels[i];
    count[g]++;
    for (let j = 0; j < p; j++) { const v = data[i * p + j]; sum[g * p + j] += v; all[j] += v; all2[j] += v * v; }
  }
  return Array.from({ length: k }, (_, g) => {
    const out: UsageTrait[] = [];
    for (let j = 0; j < p; j++) {
      const mean = all[j] / n;
      const sd = Math.sqrt(Math.max(0, all2[j] / n - mean * mean));
      if (sd < 1e-12 || count[g] === 0) continue;
      const groupMean = sum[g * p + j] / count[g];
      const othersMean = n - count[g] > 0 ? (all[j] - sum[g * p + j]) / (n - count[g]) : 0;
      const effect = (groupMean - othersMean) / sd;
      if (Math.abs(effect) >= 0.5) out.push({ feature: features[j], text: traitText(features[j], groupMean, othersMean), groupMean, othersMean, effect });
    }
    return out.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || a.feature.localeCompare(b.feature)).slice(0, top);
  });
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

function traitText(feature: string, g: number, o: number): string {
  const [kind, type, ...rest] = feature.split(':');
  const more = g > o ? 'more' : 'less';
  switch (kind) {
    case 'share': return `${type} is ${pct(g)} of its activity (others ${pct(o)})`;
    case 'days': return `${type} on ${pct(g)} of days (others ${pct(o)})`;
    case 'breadth': return `${more} breadth of ${type}: ${pct(g)} of the widest (others ${pct(o)})`;
    case 'subject': return `${rest.join(':')} is ${pct(g)} of its ${type} (others ${pct(o)})`;
    default: return `about ${(Math.expm1(g)).toFixed(1)} signals a day (others ${(Math.expm1(o)).toFixed(1)})`;
  }
}

/** A working name from the strongest traits, e.g. "whitespace_map + meeting users"; ops rename it when adopting. */
export function groupName(ts: UsageTrait[], index: number): string {
  const label = (t: UsageTrait) => {
    const [kind, type, ...rest] = t.feature.split(':');
    return kind === 'volume' ? 'high activity' : kind === 'subject' ? rest.join(':') : type;
  };
  const up = [...new Set(ts.filter((t) => t.effect > 0).map(label))].slice(0, 2);
  if (up.length) return `Group ${index + 1}: ${up.join(' + ')}`;
  const down = [...new Set(ts.map(label))].slice(0, 2);
  return `Group ${index + 1}: ${down.length ? `little ${down.join(' + ')}` : 'average usage'}`;
}
