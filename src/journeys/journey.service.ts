/**
 * Journeys are defined as one whole document (declarative config that ops keep in version control).
 * A define replaces the journey in one transaction, matching stages and milestones by `key` so that
 * their ids — and the manual completions that point at milestones — survive a redefinition.
 */
import { ConflictError, NotFoundError } from '../shared/errors';
import { Problems } from '../shared/problems';
import { modelChanged } from '../shared/model-change';
import { isUuid, type TenantScope } from '../shared/tenant';
import { assertShape } from './input-shape';
import { Journey, JourneyStage, Milestone, MilestoneCompletion, type MilestoneRule } from './journey.entity';
import { hydrateJourneyInput, type JourneyInput } from './journey.inputs';
import { forgetJourneyLoaders, journeyByOutcome } from './journey.loaders';

/**
 * Check that the outcome is in the caller's workspace and lock it for the rest of the transaction,
 * so that concurrent defines of the same outcome's journey and coin run one after the other.
 */
export async function lockOutcome(tx: TenantScope, outcomeId: string): Promise<void> {
  const rows = isUuid(outcomeId)
    ? await tx.query('SELECT id FROM outcomes WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE', [outcomeId])
    : [];
  if (!rows.length) throw new NotFoundError('Outcome', outcomeId);
}

/** The journey of an outcome, null when none is defined yet; NOT_FOUND for outcomes of other workspaces. */
export async function getJourney(scope: TenantScope, outcomeId: string): Promise<Journey | null> {
  if (!isUuid(outcomeId) || !(await scope.query('SELECT 1 FROM outcomes WHERE workspace_id = $1 AND id = $2', [outcomeId])).length) {
    throw new NotFoundError('Outcome', outcomeId);
  }
  return await scope.loader(journeyByOutcome).load(outcomeId);
}

/** Cross-field rules of a (shape-checked) journey document; records every problem with its path under `at`. */
export function checkJourney(input: JourneyInput, problems: Problems, at = 'input'): void {
  const stageKeys = new Set<string>();
  const stageNames = new Set<string>();
  const milestoneKeys = new Set<string>();
  const milestoneNames = new Set<string>();
  input.stages.forEach((stage, i) => {
    const sat = `${at}.stages[${i}]`;
    if (stageKeys.has(stage.key)) problems.add(`${sat}.key`, 'Another stage of this journey already uses this key.');
    stageKeys.add(stage.key);
    const name = stage.name.trim().toLowerCase();
    if (stageNames.has(name)) problems.add(`${sat}.name`, 'Another stage of this journey already has this name.');
    stageNames.add(name);
    if (i === 0 && stage.startDay !== 0) problems.add(`${sat}.startDay`, 'The first stage must start at day 0.');
    if (i > 0 && stage.startDay <= input.stages[i - 1].startDay) {
      problems.add(`${sat}.startDay`, 'Stage start days must be strictly ascending: this stage must start after the previous one.');
    }
    stage.milestones.forEach((m, j) => {
      const mat = `${sat}.milestones[${j}]`;
      if (milestoneKeys.has(m.key)) problems.add(`${mat}.key`, 'Another milestone of this journey already uses this key (keys are unique across stages).');
      milestoneKeys.add(m.key);
      const mname = m.name.trim().toLowerCase();
      if (milestoneNames.has(mname)) problems.add(`${mat}.name`, 'Another milestone of this journey already has this name.');
      milestoneNames.add(mname);
      if (m.expectedByDay < stage.startDay) {
        problems.add(`${mat}.expectedByDay`, "A milestone can't be expected before its stage starts (expectedByDay >= the stage's startDay).");
      }
      if (m.completion === MilestoneCompletion.AUTOMATIC && !m.rule) {
        problems.add(`${mat}.rule`, 'An AUTOMATIC milestone needs a rule (signal condition).');
      }
      if (m.completion === MilestoneCompletion.MANUAL && m.rule) {
        problems.add(`${mat}.rule`, 'A MANUAL milestone is marked done by a CSM and takes no rule.');
      }
    });
  });
}

/** Define (create or replace) the journey of an outcome from a whole document. */
export async function defineJourney(scope: TenantScope, outcomeId: string, raw: JourneyInput): Promise<Journey> {
  const input = hydrateJourneyInput(raw);
  const journey = await scope.transaction(async (tx) => {
    await lockOutcome(tx, outcomeId);
    await assertShape(input, 'input');
    const problems = new Problems();
    checkJourney(input, problems);
    problems.throwIfAny();

    const existingStages = await tx.find(JourneyStage, { where: { outcomeId } });
    const listedStageKeys = new Set(input.stages.map((s) => s.key));
    const removedStages = existingStages.filter((s) => !listedStageKeys.has(s.key));
    if (removedStages.length) await refuseIfOverridden(tx, outcomeId, removedStages);

    await upsertJourneyRow(tx, outcomeId, input.stuckAfterDays);

    // Park the start days out of the way first: (outcome, start_day) is unique, and stages may swap days.
    await tx.query('UPDATE journey_stages SET start_day = -1 - start_day WHERE workspace_id = $1 AND outcome_id = $2', [outcomeId]);
    const stageByKey = new Map(existingStages.map((s) => [s.key, s]));
    const stageIds: string[] = [];
    for (const s of input.stages) {
      const stage = stageByKey.get(s.key) ?? tx.create(JourneyStage, { outcomeId, key: s.key });
      stage.name = s.name.trim();
      stage.startDay = s.startDay;
      stageIds.push((await tx.save(stage)).id);
    }

    // Milestones may move between stages: update them before removed stages cascade-delete theirs.
    const existingMilestones = await tx.find(Milestone, { where: { outcomeId } });
    const milestoneByKey = new Map(existingMilestones.map((m) => [m.key, m]));
    const listedMilestoneKeys = new Set<string>();
    let position = 0;
    for (const [i, s] of input.stages.entries()) {
      for (const m of s.milestones) {
        listedMilestoneKeys.add(m.key);
        const milestone = milestoneByKey.get(m.key) ?? tx.create(Milestone, { outcomeId, key: m.key });
        Object.assign(milestone, {
          stageId: stageIds[i], name: m.name.trim(), expectedByDay: m.expectedByDay, weight: m.weight,
          completion: m.completion, position: position++, rule: m.rule ? normalizeRule(m.rule) : null,
        });
        await tx.save(milestone);
      }
    }
    const goneMilestones = existingMilestones.filter((m) => !listedMilestoneKeys.has(m.key)).map((m) => m.id);
    if (goneMilestones.length) {
      await tx.query('DELETE FROM milestones WHERE workspace_id = $1 AND id = ANY($2::uuid[])', [goneMilestones]);
    }
    if (removedStages.length) {
      await tx.query('DELETE FROM journey_stages WHERE workspace_id = $1 AND id = ANY($2::uuid[])', [removedStages.map((s) => s.id)]);
    }
    await modelChanged(tx);
    return (await tx.findOne(Journey, { outcomeId }))!;
  });
  forgetJourneyLoaders(scope);
  return journey;
}

async function upsertJourneyRow(tx: TenantScope, outcomeId: string, stuckAfterDays: number): Promise<void> {
  // updated_at moves on every define, also when only stages or milestones changed.
  await tx.query(
    `INSERT INTO journeys AS j (workspace_id, outcome_id, stuck_after_days, updated_at) VALUES ($1::uuid, $2, $3, now())
     ON CONFLICT (workspace_id, outcome_id) DO UPDATE SET stuck_after_days = EXCLUDED.stuck_after_days, updated_at = now()`,
    [outcomeId, stuckAfterDays],
  );
}

/**
 * A stage that a component's scoring override still names can't disappear under it. By SQL over the coin's components:
 * journeys/ sits below coins/ (whose overrides name journey stages), so it does not import them.
 */
async function refuseIfOverridden(tx: TenantScope, outcomeId: string, removed: JourneyStage[]): Promise<void> {
  const [hit] = await tx.query<{ key: string; name: string; stage_key: string }>(
    `SELECT c.key, c.name, o ->> 'stageKey' AS stage_key
       FROM components c CROSS JOIN LATERAL jsonb_array_elements(c.stage_overrides) WITH ORDINALITY AS x(o, n)
      WHERE c.workspace_id = $1 AND c.outcome_id = $2 AND o ->> 'stageKey' = ANY($3::text[])
      ORDER BY c.position, x.n LIMIT 1`, [outcomeId, removed.map((s) => s.key)]);
  if (hit) {
    throw new ConflictError(
      `Stage "${hit.stage_key}" can't be removed: component "${hit.name}" (key ${hit.key}) of this outcome's coin has a scoring override for it. Remove the override with defineCoin first.`,
      { field: 'input.stages', component: hit.key, stageKey: hit.stage_key },
    );
  }
}

export function normalizeRule(r: MilestoneRule): MilestoneRule {
  return { signalType: r.signalType, subject: r.subject ?? null, aggregation: r.aggregation, atLeast: r.atLeast };
}
