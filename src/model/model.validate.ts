/**
 * Validation of a whole model document, reporting every problem at once with its path (`coins[1].components[3].scoring.floor`).
 * The rules are those of the configuration mutations: the input classes' shape rules, then the cross-field checks
 * the define mutations run (checkJourney, checkCoin, validateRule), then what only a whole model can check (one
 * default cluster, unique keys and priorities, references between clusters, outcomes, journeys and coins).
 */
import { validate } from 'class-validator';
import { hydrateCoinInput } from '../coins/coin.inputs';
import { checkCoin } from '../coins/coin.service';
import { hydrateJourneyInput } from '../journeys/journey.inputs';
import { checkJourney, normalizeRule } from '../journeys/journey.service';
import { validateRule } from '../rules/rule.sql';
import { RuleInput, type RuleJson } from '../rules/rule.types';
import { flattenValidationErrors } from '../shared/errors';
import { Problems } from '../shared/problems';
import { BandThresholdsInput } from '../workspaces/workspace.inputs';
import {
  ClusterDocument, CoinDocument, JourneyDocument, ModelDocumentInput, OutcomeDocument, sortDocument,
  type ComponentDoc, type ModelDocument,
} from './model.document';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : v);

function hydrateRule(r: unknown): unknown {
  if (!isObject(r)) return r;
  return Object.assign(new RuleInput(), r, {
    all: Array.isArray(r.all) ? r.all.map(hydrateRule) : r.all,
    any: Array.isArray(r.any) ? r.any.map(hydrateRule) : r.any,
  });
}

/** Plain JSON (a stored draft, a file) or GraphQL input -> input class instances with defaults, so the decorators apply. */
export function hydrateDocument(raw: unknown): ModelDocumentInput {
  const r = isObject(raw) ? raw : {};
  const each = <T>(v: unknown, make: (x: Record<string, unknown>) => T) => {
    const l = list(v);
    return Array.isArray(l) ? l.map((x) => (isObject(x) ? make(x) : x)) : l;
  };
  return Object.assign(new ModelDocumentInput(), {
    thresholds: isObject(r.thresholds) ? Object.assign(new BandThresholdsInput(), r.thresholds) : r.thresholds,
    clusters: each(r.clusters, (c) => Object.assign(new ClusterDocument(), c, { isDefault: c.isDefault ?? false, rule: hydrateRule(c.rule) })),
    outcomes: each(r.outcomes, (o) => Object.assign(new OutcomeDocument(), o, { weight: o.weight ?? 1, active: o.active ?? true })),
    journeys: each(r.journeys, (j) => Object.assign(new JourneyDocument(), hydrateJourneyInput(j as never), { outcome: j.outcome })),
    coins: each(r.coins, (c) => Object.assign(new CoinDocument(), hydrateCoinInput(c as never), { outcome: c.outcome })),
  }) as ModelDocumentInput;
}

/** Check a document; returns it normalised (canonical order, every field present) or throws BAD_USER_INPUT listing every problem. */
export async function parseDocument(raw: unknown, at = ''): Promise<ModelDocument> {
  const problems = new Problems();
  const p = (path: string) => (at ? `${at}.${path}` : path);
  if (!isObject(raw)) {
    problems.add(at || 'document', 'A model document is a JSON object with thresholds, clusters, outcomes, journeys and coins.');
    problems.throwIfAny();
  }
  const input = hydrateDocument(raw);
  const errors = await validate(input, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  for (const e of flattenValidationErrors(errors, at)) problems.add(e.field, e.message);
  // Cross-field checks only over the parts whose shape is right (they read fields the shape rules guarantee).
  const sound = (path: string) => !problems.under(p(path));
  const arrays = ['clusters', 'outcomes', 'journeys', 'coins'] as const;
  if (!arrays.every((k) => Array.isArray(input[k]))) problems.throwIfAny();

  if (!isObject(input.thresholds)) {
    if (sound('thresholds')) problems.add(p('thresholds'), 'The band thresholds are required: { redBelow: 40, yellowBelow: 70 }.');
  } else if (sound('thresholds') && !(input.thresholds.redBelow < input.thresholds.yellowBelow)) {
    problems.add(p('thresholds.yellowBelow'), 'yellowBelow must be greater than redBelow.');
  }

  // ---- clusters ----
  const clusterKeys = new Set<string>();
  const clusterNames = new Map<string, number>();
  const priorities = new Map<number, number>();
  let defaults = 0;
  const rules = new Map<number, RuleJson | null>();
  input.clusters.forEach((c, i) => {
    const cat = `clusters[${i}]`;
    if (!sound(cat)) return;
    if (clusterKeys.has(c.key)) problems.add(p(`${cat}.key`), 'Another cluster already uses this key.');
    clusterKeys.add(c.key);
    const name = c.name.trim().toLowerCase();
    if (clusterNames.has(name)) problems.add(p(`${cat}.name`), `Cluster ${clusterNames.get(name)} already has this name (names are unique, case-insensitively).`);
    clusterNames.set(name, i);
    if (c.isDefault) {
      defaults++;
      if (defaults > 1) problems.add(p(`${cat}.isDefault`), 'Only one cluster can be the default.');
      if (c.rule) problems.add(p(`${cat}.rule`), 'The default cluster has no rule: it catches every account that no other cluster matches.');
      if (c.priority !== undefined && c.priority !== null) problems.add(p(`${cat}.priority`), 'The default cluster is always tried last: leave its priority out.');
      rules.set(i, null);
    } else {
      if (!c.rule) problems.add(p(`${cat}.rule`), 'Only the default cluster may be without a rule: give this cluster a membership rule.');
      else rules.set(i, problems.collect(() => validateRule(c.rule!, p(`${cat}.rule`))) ?? null);
      if (c.priority === undefined || c.priority === null) problems.add(p(`${cat}.priority`), 'A cluster other than the default needs a priority (lower is tried first).');
      else if (priorities.has(c.priority)) {
        problems.add(p(`${cat}.priority`), `clusters[${priorities.get(c.priority)}] already has this priority; priorities must differ so that "first match wins" is unambiguous.`);
      } else priorities.set(c.priority, i);
    }
  });
  if (defaults === 0 && input.clusters.every((_, i) => sound(`clusters[${i}]`))) {
    problems.add(p('clusters'), 'Exactly one cluster must be the default (isDefault: true): it catches the accounts no rule matches.');
  }

  // ---- outcomes ----
  const outcomeKeys = new Set<string>();
  const outcomeNames = new Set<string>();
  input.outcomes.forEach((o, i) => {
    const oat = `outcomes[${i}]`;
    if (!sound(oat)) return;
    if (outcomeKeys.has(o.key)) problems.add(p(`${oat}.key`), 'Another outcome already uses this key (outcome keys are unique in the workspace).');
    outcomeKeys.add(o.key);
    if (!clusterKeys.has(o.cluster)) problems.add(p(`${oat}.cluster`), `No cluster of this document has the key "${o.cluster}".`);
    const name = `${o.cluster}\u0000${o.name.trim().toLowerCase()}`;
    if (outcomeNames.has(name)) problems.add(p(`${oat}.name`), 'This cluster already has a desired outcome with this name.');
    outcomeNames.add(name);
  });

  // ---- journeys and coins: one per outcome, the mutations' own checks ----
  const stageKeysOf = new Map<string, Set<string>>();
  const journeyOf = new Set<string>();
  input.journeys.forEach((j, i) => {
    const jat = `journeys[${i}]`;
    if (!sound(jat)) return;
    if (!outcomeKeys.has(j.outcome)) problems.add(p(`${jat}.outcome`), `No outcome of this document has the key "${j.outcome}".`);
    if (journeyOf.has(j.outcome)) problems.add(p(`${jat}.outcome`), 'This outcome already has a journey in this document (one per outcome).');
    journeyOf.add(j.outcome);
    stageKeysOf.set(j.outcome, new Set(j.stages.map((s) => s.key)));
    checkJourney(j, problems, p(jat));
  });
  const coinOf = new Set<string>();
  const checkedCoins = input.coins.map((c, i) => {
    const cat = `coins[${i}]`;
    if (!sound(cat)) return null;
    if (!outcomeKeys.has(c.outcome)) problems.add(p(`${cat}.outcome`), `No outcome of this document has the key "${c.outcome}".`);
    if (coinOf.has(c.outcome)) problems.add(p(`${cat}.outcome`), 'This outcome already has a coin in this document (one per outcome).');
    coinOf.add(c.outcome);
    return checkCoin(c, stageKeysOf.get(c.outcome) ?? new Set(), problems, p(cat));
  });
  problems.throwIfAny();

  return sortDocument({
    thresholds: { redBelow: input.thresholds.redBelow, yellowBelow: input.thresholds.yellowBelow },
    clusters: input.clusters.map((c, i) => ({
      key: c.key, name: c.name.trim(), description: c.description?.trim() || null,
      priority: c.isDefault ? null : c.priority!, isDefault: c.isDefault, rule: rules.get(i) ?? null,
    })),
    outcomes: input.outcomes.map((o) => ({
      key: o.key, cluster: o.cluster, name: o.name.trim(), description: o.description?.trim() || null, weight: o.weight, active: o.active,
    })),
    journeys: input.journeys.map((j) => ({
      outcome: j.outcome, stuckAfterDays: j.stuckAfterDays,
      stages: j.stages.map((s) => ({
        key: s.key, name: s.name.trim(), startDay: s.startDay,
        milestones: s.milestones.map((m) => ({
          key: m.key, name: m.name.trim(), expectedByDay: m.expectedByDay, weight: m.weight, completion: m.completion,
          rule: m.rule ? normalizeRule(m.rule) as ModelDocument['journeys'][number]['stages'][number]['milestones'][number]['rule'] : null,
        })),
      })),
    })),
    coins: input.coins.map((c, i) => ({
      outcome: c.outcome, proactiveWeight: c.proactiveWeight, reactiveWeight: c.reactiveWeight,
      components: c.components.map((k, n) => ({
        key: k.key, name: k.name.trim(), side: k.side, weight: k.weight, ...checkedCoins[i]![n],
      }) as ComponentDoc),
    })),
  });
}
