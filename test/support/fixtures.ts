/**
 * Reusable example documents, as plain objects (GraphQL variables or service arguments).
 * WORKED_EXAMPLE_COIN is the spec's worked example (HEALTH-MODEL.md, source 000);
 * FOUR_STAGE_JOURNEY is a 4-stage journey with 7 milestones. Clone before mutating
 * (`structuredClone(WORKED_EXAMPLE_COIN)`).
 */

/** The managed-only applicability rule of the worked example. */
export const MANAGED_ONLY = { attribute: 'managed', op: 'EQ', value: true };

export const WORKED_EXAMPLE_COIN = {
  proactiveWeight: 50,
  reactiveWeight: 50,
  components: [
    // Reactive side: what the customer does (weights sum to 100 for readability; only ratios matter).
    {
      key: 'feature_adoption', name: 'Feature adoption', side: 'REACTIVE', weight: 30,
      metric: { aggregation: 'DISTINCT_SUBJECTS', signalType: 'feature_used', windowDays: 30, normalizeBy: 'key_features' },
      scoring: { type: 'LINEAR', floor: 0, target: 0.8 },
    },
    {
      key: 'login_frequency', name: 'Login frequency', side: 'REACTIVE', weight: 20,
      metric: { aggregation: 'DISTINCT_DAYS', signalType: 'login', windowDays: 30 },
      scoring: { type: 'LINEAR', floor: 0, target: 20 },
    },
    {
      key: 'days_since_login', name: 'Days since last login', side: 'REACTIVE', weight: 15,
      metric: { aggregation: 'DAYS_SINCE', signalType: 'login' },
      scoring: { type: 'LINEAR', floor: 30, target: 0 },
    },
    {
      key: 'support_tickets', name: 'Support tickets', side: 'REACTIVE', weight: 15,
      metric: { aggregation: 'COUNT', signalType: 'ticket_opened', windowDays: 30 },
      scoring: { type: 'LINEAR', floor: 10, target: 0 },
    },
    {
      key: 'delinquency', name: 'Delinquency', side: 'REACTIVE', weight: 20,
      metric: { aggregation: 'COUNT', signalType: 'invoice_overdue', windowDays: 60 },
      scoring: { type: 'BANDS', bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] },
    },
    // Proactive side: what the CS team does; the first two count only for managed accounts.
    {
      key: 'csm_pulse', name: 'CSM pulse', side: 'PROACTIVE', weight: 40,
      metric: { aggregation: 'LATEST', signalType: 'csm_pulse', windowDays: 90 },
      scoring: { type: 'LINEAR', floor: 1, target: 5 },
      applicability: MANAGED_ONLY,
    },
    {
      key: 'last_meeting', name: 'Last meeting', side: 'PROACTIVE', weight: 30,
      metric: { aggregation: 'DAYS_SINCE', signalType: 'meeting' },
      scoring: { type: 'LINEAR', floor: 60, target: 7 },
      applicability: MANAGED_ONLY,
    },
    {
      key: 'journey_adherence', name: 'Journey adherence', side: 'PROACTIVE', weight: 30,
      metric: { aggregation: 'JOURNEY_ADHERENCE' },
      scoring: { type: 'LINEAR', floor: 0, target: 1 },
    },
  ],
};

export const FOUR_STAGE_JOURNEY = {
  stuckAfterDays: 30,
  stages: [
    {
      key: 'onboarding', name: 'Onboarding', startDay: 0,
      milestones: [
        { key: 'kickoff_call', name: 'Kickoff call held', expectedByDay: 7, weight: 1, completion: 'MANUAL' },
        {
          key: 'first_login', name: 'First login', expectedByDay: 3, weight: 1, completion: 'AUTOMATIC',
          rule: { signalType: 'login', aggregation: 'COUNT', atLeast: 1 },
        },
      ],
    },
    {
      key: 'adoption', name: 'Adoption', startDay: 30,
      milestones: [
        {
          key: 'three_key_features', name: 'Three key features used', expectedByDay: 45, weight: 2, completion: 'AUTOMATIC',
          rule: { signalType: 'feature_used', aggregation: 'DISTINCT_SUBJECTS', atLeast: 3 },
        },
        {
          key: 'org_chart_used', name: 'Relationship map used 3 times', expectedByDay: 60, weight: 2, completion: 'AUTOMATIC',
          rule: { signalType: 'feature_used', subject: 'org_chart', aggregation: 'COUNT', atLeast: 3 },
        },
      ],
    },
    {
      key: 'value', name: 'Value', startDay: 90,
      milestones: [
        {
          key: 'first_qbr', name: 'First QBR', expectedByDay: 120, weight: 1, completion: 'AUTOMATIC',
          rule: { signalType: 'qbr', aggregation: 'COUNT', atLeast: 1 },
        },
        { key: 'success_plan_review', name: 'Success plan reviewed', expectedByDay: 150, weight: 1, completion: 'MANUAL' },
      ],
    },
    {
      key: 'renewal', name: 'Renewal', startDay: 300,
      milestones: [
        { key: 'renewal_conversation', name: 'Renewal conversation', expectedByDay: 330, weight: 1, completion: 'MANUAL' },
      ],
    },
  ],
};

/** Selection sets that read a whole journey / coin back. */
export const JOURNEY_FIELDS = `outcomeId stuckAfterDays updatedAt stages { id key name startDay milestones {
  id key name expectedByDay weight completion rule { signalType subject aggregation atLeast } stage { id key } } }`;
export const COIN_FIELDS = `outcomeId proactiveWeight reactiveWeight updatedAt components { id key name side weight
  metric { aggregation signalType subject windowDays normalizeBy }
  scoring { type floor target bands { min score } higherIsBetter }
  stageOverrides { stageKey scoring { type floor target bands { min score } higherIsBetter } }
  applicability { attribute op value all { attribute op value } any { attribute op value } } }`;

export const DEFINE_JOURNEY = `mutation($outcomeId: ID!, $input: JourneyInput!) { defineJourney(outcomeId: $outcomeId, input: $input) { ${JOURNEY_FIELDS} } }`;
export const DEFINE_COIN = `mutation($outcomeId: ID!, $input: CoinInput!) { defineCoin(outcomeId: $outcomeId, input: $input) { ${COIN_FIELDS} } }`;

/** Shortcut for tests: an outcome in the workspace's default cluster, written straight to the database. */
export async function insertOutcome(db: { query: (sql: string, params?: unknown[]) => Promise<any> }, workspaceId: string, name: string): Promise<string> {
  const rows = await db.query(
    `INSERT INTO outcomes (workspace_id, cluster_id, name)
     SELECT workspace_id, id, $2 FROM clusters WHERE workspace_id = $1 AND is_default RETURNING id`,
    [workspaceId, name],
  );
  return rows[0].id;
}
