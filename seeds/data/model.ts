/**
 * The demo health model of "KAMFlow", a key-account-management SaaS (source 002), as the GraphQL
 * inputs an ops person would send: two persona clusters (sources 000/004: managed enterprise vs
 * self-serve tech-touch), three desired outcomes (two for enterprise, one for self-serve), a
 * 4-stage success journey per outcome and a two-sided coin per outcome modelled on the spec's
 * worked example. Plain data: seeds/demo.ts sends it through the GraphQL schema.
 */

export type OutcomeKey = 'relationships' | 'whitespace' | 'planning';
export type ClusterKey = 'enterprise' | 'selfServe';

export interface MilestoneRuleDef {
  signalType: string;
  subject?: string;
  aggregation: 'COUNT' | 'DISTINCT_DAYS' | 'DISTINCT_SUBJECTS' | 'SUM';
  atLeast: number;
}

export interface MilestoneDef {
  key: string;
  name: string;
  expectedByDay: number;
  weight: number;
  completion: 'AUTOMATIC' | 'MANUAL';
  rule?: MilestoneRuleDef;
}

export interface StageDef {
  key: string;
  name: string;
  startDay: number;
  milestones: MilestoneDef[];
}

export interface JourneyDef {
  stuckAfterDays: number;
  stages: StageDef[];
}

type Scoring = {
  type: 'LINEAR' | 'BANDS' | 'PERCENTILE';
  floor?: number;
  target?: number;
  bands?: Array<{ min: number; score: number }>;
  higherIsBetter?: boolean;
};

export interface ComponentDef {
  key: string;
  name: string;
  side: 'PROACTIVE' | 'REACTIVE';
  weight: number;
  metric: { aggregation: string; signalType?: string; subject?: string; windowDays?: number; normalizeBy?: string };
  scoring: Scoring;
  stageOverrides?: Array<{ stageKey: string; scoring: Scoring }>;
  applicability?: unknown;
}

export interface CoinDef {
  proactiveWeight: number;
  reactiveWeight: number;
  components: ComponentDef[];
}

export interface OutcomeDef {
  key: OutcomeKey;
  cluster: ClusterKey;
  name: string;
  description: string;
  weight: number;
  journey: JourneyDef;
  coin: CoinDef;
}

export const MANAGED_ONLY = { attribute: 'managed', op: 'EQ', value: true };

export const CLUSTERS = {
  enterprise: {
    name: 'Managed enterprise',
    description: 'Enterprise plan with a named CSM: high-touch, QBRs, success plans (sources 000 and 004).',
    priority: 10,
    rule: { all: [MANAGED_ONLY, { attribute: 'plan', op: 'IN', value: ['enterprise'] }] },
  },
  /** The workspace's default cluster, renamed: it catches every account the rules above don't. */
  selfServe: {
    name: 'Self-serve tech-touch',
    description: 'Everyone else: starter and business plans (and unmanaged enterprise), served tech-touch by a pooled team.',
  },
} as const;

const STAGES = (m: Record<'onboarding' | 'adoption' | 'value' | 'renewal', MilestoneDef[]>): StageDef[] => [
  { key: 'onboarding', name: 'Onboarding', startDay: 0, milestones: m.onboarding },
  { key: 'adoption', name: 'Adoption', startDay: 30, milestones: m.adoption },
  { key: 'value', name: 'Value', startDay: 90, milestones: m.value },
  { key: 'renewal', name: 'Renewal', startDay: 300, milestones: m.renewal },
];

const auto = (key: string, name: string, expectedByDay: number, weight: number, rule: MilestoneRuleDef): MilestoneDef =>
  ({ key, name, expectedByDay, weight, completion: 'AUTOMATIC', rule });
const manual = (key: string, name: string, expectedByDay: number, weight: number): MilestoneDef =>
  ({ key, name, expectedByDay, weight, completion: 'MANUAL' });

// --- The worked example's components (spec "The worked example"), shared by the three coins ---
const featureAdoption = (onboardingTarget: number): ComponentDef => ({
  key: 'feature_adoption', name: 'Feature adoption (key features used, 30 days)', side: 'REACTIVE', weight: 25,
  metric: { aggregation: 'DISTINCT_SUBJECTS', signalType: 'feature_used', windowDays: 30, normalizeBy: 'key_features' },
  scoring: { type: 'LINEAR', floor: 0, target: 0.8 },
  // New accounts are not expected to use every key feature yet.
  stageOverrides: [{ stageKey: 'onboarding', scoring: { type: 'LINEAR', floor: 0, target: onboardingTarget } }],
});
const loginFrequency: ComponentDef = {
  key: 'login_frequency', name: 'Login frequency (active days, 30 days)', side: 'REACTIVE', weight: 20,
  metric: { aggregation: 'DISTINCT_DAYS', signalType: 'login', windowDays: 30 },
  scoring: { type: 'LINEAR', floor: 0, target: 20 },
  stageOverrides: [{ stageKey: 'onboarding', scoring: { type: 'LINEAR', floor: 0, target: 10 } }],
};
const daysSinceLogin: ComponentDef = {
  key: 'days_since_login', name: 'Days since last login', side: 'REACTIVE', weight: 15,
  metric: { aggregation: 'DAYS_SINCE', signalType: 'login' },
  scoring: { type: 'LINEAR', floor: 30, target: 0 },
};
const supportTickets: ComponentDef = {
  key: 'support_tickets', name: 'Support tickets opened (30 days)', side: 'REACTIVE', weight: 15,
  metric: { aggregation: 'COUNT', signalType: 'ticket_opened', windowDays: 30 },
  scoring: { type: 'LINEAR', floor: 10, target: 0 },
};
const delinquency: ComponentDef = {
  key: 'delinquency', name: 'Overdue invoices (60 days)', side: 'REACTIVE', weight: 10,
  metric: { aggregation: 'COUNT', signalType: 'invoice_overdue', windowDays: 60 },
  scoring: { type: 'BANDS', bands: [{ min: 0, score: 100 }, { min: 1, score: 30 }, { min: 2, score: 0 }] },
};
const nps: ComponentDef = {
  key: 'nps', name: 'NPS (average, 90 days)', side: 'REACTIVE', weight: 10,
  metric: { aggregation: 'AVG', signalType: 'nps', windowDays: 90 },
  scoring: { type: 'BANDS', bands: [{ min: 0, score: 0 }, { min: 5, score: 40 }, { min: 7, score: 70 }, { min: 9, score: 100 }] },
};
const csmPulse: ComponentDef = {
  key: 'csm_pulse', name: 'CSM pulse (latest, 90 days)', side: 'PROACTIVE', weight: 30,
  metric: { aggregation: 'LATEST', signalType: 'csm_pulse', windowDays: 90 },
  scoring: { type: 'LINEAR', floor: 1, target: 5 },
  applicability: MANAGED_ONLY, // source 000: only for accounts with a CSM
};
const lastMeeting: ComponentDef = {
  key: 'last_meeting', name: 'Days since last CSM meeting', side: 'PROACTIVE', weight: 25,
  metric: { aggregation: 'DAYS_SINCE', signalType: 'meeting' },
  scoring: { type: 'LINEAR', floor: 60, target: 7 },
  applicability: MANAGED_ONLY,
};
const journeyAdherence = (weight: number): ComponentDef => ({
  key: 'journey_adherence', name: 'Journey adherence (due milestones achieved)', side: 'PROACTIVE', weight,
  metric: { aggregation: 'JOURNEY_ADHERENCE' },
  scoring: { type: 'LINEAR', floor: 0, target: 1 },
});
const lastQbr: ComponentDef = {
  key: 'last_qbr', name: 'Days since last QBR', side: 'PROACTIVE', weight: 15,
  metric: { aggregation: 'DAYS_SINCE', signalType: 'qbr' },
  scoring: { type: 'LINEAR', floor: 120, target: 30 },
  applicability: MANAGED_ONLY,
};

export const OUTCOMES: OutcomeDef[] = [
  {
    key: 'relationships',
    cluster: 'enterprise',
    name: 'Build stakeholder intelligence +20% with the relationship map',
    description: 'Source 002 (KAMFlow / Acme Corp): know every stakeholder of each key account, mapped in org charts and the relationship map.',
    weight: 2,
    journey: {
      stuckAfterDays: 30,
      stages: STAGES({
        onboarding: [
          manual('kickoff_call', 'Kickoff call with the sponsor', 7, 1),
          auto('team_invited', '5 account managers invited', 14, 1, { signalType: 'user_invited', aggregation: 'COUNT', atLeast: 5 }),
          auto('first_org_charts', '3 org charts built', 21, 2, { signalType: 'feature_used', subject: 'org_chart', aggregation: 'COUNT', atLeast: 3 }),
        ],
        adoption: [
          auto('relationship_map_live', 'Relationship map used on 5 days', 45, 2, { signalType: 'feature_used', subject: 'relationship_map', aggregation: 'DISTINCT_DAYS', atLeast: 5 }),
          auto('stakeholders_mapped', '25 stakeholders mapped', 60, 2, { signalType: 'stakeholder_added', aggregation: 'SUM', atLeast: 25 }),
          auto('crm_connected', 'CRM sync connected', 60, 1, { signalType: 'integration_connected', subject: 'crm', aggregation: 'COUNT', atLeast: 1 }),
        ],
        value: [
          manual('success_plan_review', 'Success plan reviewed with the sponsor', 120, 2),
          manual('coverage_plus_20', 'Stakeholder coverage +20% confirmed', 180, 3),
        ],
        renewal: [
          manual('renewal_review', 'Renewal business review held', 320, 2),
        ],
      }),
    },
    coin: {
      proactiveWeight: 50,
      reactiveWeight: 50,
      components: [
        featureAdoption(0.4), loginFrequency, daysSinceLogin, supportTickets, delinquency, nps,
        {
          key: 'champion_left', name: 'Champion left (tag)', side: 'REACTIVE', weight: 10,
          metric: { aggregation: 'LATEST', signalType: 'tag:champion_left', windowDays: 365 },
          // Missing (never tagged) leaves it out; tagged = 1 scores 0, removed = 0 scores 100.
          scoring: { type: 'BANDS', bands: [{ min: 0, score: 100 }, { min: 1, score: 0 }] },
        },
        csmPulse, lastMeeting, lastQbr, journeyAdherence(30),
      ],
    },
  },
  {
    key: 'whitespace',
    cluster: 'enterprise',
    name: 'Grow opportunities +30% through whitespace identification',
    description: 'Source 002: find whitespace and areas for growth in each key account and turn them into pipeline.',
    weight: 1,
    journey: {
      stuckAfterDays: 45,
      stages: STAGES({
        onboarding: [
          auto('account_profiles', '5 account profiles built', 14, 1, { signalType: 'feature_used', subject: 'account_profile', aggregation: 'COUNT', atLeast: 5 }),
          manual('whitespace_workshop', 'Whitespace workshop held', 21, 1),
        ],
        adoption: [
          auto('first_whitespace_map', '3 whitespace maps built', 40, 2, { signalType: 'feature_used', subject: 'whitespace_map', aggregation: 'COUNT', atLeast: 3 }),
          auto('opportunities_logged', '10 opportunities logged', 75, 2, { signalType: 'opportunity_created', aggregation: 'COUNT', atLeast: 10 }),
        ],
        value: [
          manual('pipeline_review', 'Pipeline review with sales leadership', 120, 2),
          auto('advanced_reporting', 'Advanced reports used on 4 days', 150, 2, { signalType: 'feature_used', subject: 'advanced_reports', aggregation: 'DISTINCT_DAYS', atLeast: 4 }),
        ],
        renewal: [
          manual('growth_confirmed', 'Opportunity growth +30% confirmed', 330, 3),
        ],
      }),
    },
    coin: {
      proactiveWeight: 50,
      reactiveWeight: 50,
      components: [
        featureAdoption(0.4), loginFrequency, daysSinceLogin, supportTickets, delinquency,
        {
          key: 'opportunities_vs_peers', name: 'Opportunities logged vs. peers (30 days)', side: 'REACTIVE', weight: 20,
          metric: { aggregation: 'COUNT', signalType: 'opportunity_created', windowDays: 30 },
          // Scored against the other managed-enterprise accounts instead of a fixed threshold.
          scoring: { type: 'PERCENTILE', higherIsBetter: true },
        },
        csmPulse, lastMeeting, lastQbr, journeyAdherence(30),
      ],
    },
  },
  {
    key: 'planning',
    cluster: 'selfServe',
    name: 'Run all account planning in one place',
    description: 'Source 002: preserve corporate intelligence by making the product the one-stop shop for account-planning information.',
    weight: 1,
    journey: {
      stuckAfterDays: 30,
      stages: STAGES({
        onboarding: [
          auto('first_profile', 'First account profile built', 3, 1, { signalType: 'feature_used', subject: 'account_profile', aggregation: 'COUNT', atLeast: 1 }),
          auto('team_invited', '3 teammates invited', 10, 1, { signalType: 'user_invited', aggregation: 'COUNT', atLeast: 3 }),
          auto('onboarding_webinar', 'Onboarding webinar attended', 21, 1, { signalType: 'training', subject: 'onboarding_webinar', aggregation: 'COUNT', atLeast: 1 }),
        ],
        adoption: [
          auto('account_plans', '5 account plans written', 45, 2, { signalType: 'feature_used', subject: 'account_plan', aggregation: 'COUNT', atLeast: 5 }),
          auto('tasks_habit', 'Events & tasks planned on 8 days', 60, 2, { signalType: 'feature_used', subject: 'events_tasks', aggregation: 'DISTINCT_DAYS', atLeast: 8 }),
        ],
        value: [
          auto('crm_connected', 'CRM sync connected', 100, 1, { signalType: 'integration_connected', subject: 'crm', aggregation: 'COUNT', atLeast: 1 }),
          auto('plans_shared', '10 account plans shared with the team', 150, 2, { signalType: 'plan_shared', aggregation: 'COUNT', atLeast: 10 }),
        ],
        renewal: [
          manual('renewal_intent', 'Renewal intent confirmed', 320, 1),
        ],
      }),
    },
    coin: {
      proactiveWeight: 50,
      reactiveWeight: 50,
      // Exactly the worked example: for tech-touch accounts CSM pulse and last meeting are not
      // applicable, so the proactive side is journey adherence alone.
      components: [
        featureAdoption(0.5), loginFrequency, daysSinceLogin, supportTickets, delinquency,
        csmPulse, lastMeeting, journeyAdherence(45),
      ],
    },
  },
];

/** Features of the product; `key_features` (attribute) = how many of them an account is expected to use. */
export const FEATURES = {
  enterprise: ['org_chart', 'relationship_map', 'account_profile', 'account_plan', 'whitespace_map', 'events_tasks', 'advanced_reports', 'stakeholder_search', 'mobile_app', 'insights_digest'],
  selfServe: ['account_profile', 'account_plan', 'events_tasks', 'org_chart', 'mobile_app', 'insights_digest', 'advanced_reports', 'relationship_map'],
} as const;

export const KEY_FEATURES = { enterprise: 8, selfServe: 6 } as const;
