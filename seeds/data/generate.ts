/**
 * Deterministic demo data: 200 accounts spread over journey days 0-400, their milestone
 * achievements and 90 days of signals, generated from per-account personas with a seeded PRNG.
 * Everything is relative to `now` (the seed time), so a fresh start always shows meaningful
 * scores: same seed + same `now` = the same data.
 *
 * How the personas become what a person reads in the API:
 * - thriving: every due milestone on time (some early: AHEAD), daily logins, broad feature use,
 *   promoters, regular CSM meetings and QBRs → GREEN, ON_TRACK/AHEAD.
 * - steady: milestones achieved, some late; moderate usage → GREEN or YELLOW, ON_TRACK.
 * - slipping: one due milestone missed but something achieved in the last 3 weeks; usage fading,
 *   tickets up, an invoice paid late, pulse 2 → YELLOW, BEHIND.
 * - at_risk: no login for 25-40 days, 6-9 tickets, invoice overdue, detractor NPS, no meeting for
 *   two months, the latest milestones missed and nothing achieved for over a month → RED, STUCK.
 * - stalled_onboarding: 2-5 months in, only the first milestone done → RED/YELLOW, STUCK.
 *
 * Automatic milestones are made to happen on purpose: the signals that satisfy a milestone's rule
 * are emitted at the day it is achieved (also before the 90-day window, so `achievedAt` looks
 * real), and the activity stream never emits a milestone's signal type/subject before that moment
 * (nor at all when the milestone is not achieved), so the engine finds exactly the planned dates.
 */
import { chance, int, mulberry32, pick, poisson, shuffled, type Rng } from './prng';
import { FEATURES, KEY_FEATURES, OUTCOMES, type ClusterKey, type MilestoneDef, type OutcomeKey } from './model';

export const DAY = 86_400_000;
const HOUR = 3_600_000;
export const ACCOUNT_COUNT = 200;
export const SIGNAL_DAYS = 90;

export type Persona = 'thriving' | 'steady' | 'slipping' | 'at_risk' | 'stalled_onboarding';

export interface AccountInputData {
  externalId: string;
  name: string;
  attributes: Record<string, unknown>;
  csmOwner: string | null;
  journeyStartedAt: string;
  renewalDate: string;
  lifecycleOutcomes: Array<{ kind: 'RENEWED' | 'EXPANDED' | 'CONTRACTED' | 'CHURNED'; date: string }>;
}

export interface SignalData {
  accountExternalId: string;
  type: string;
  occurredAt: string;
  subject?: string;
  value?: number;
}

export interface ManualCompletionData {
  accountExternalId: string;
  outcome: OutcomeKey;
  milestoneKey: string;
  achievedAt: string;
  note: string;
}

/** What the generator intended for one account (the test and the summary read it). */
export interface AccountPlan {
  externalId: string;
  persona: Persona;
  cluster: ClusterKey;
  journeyDay: number;
  /** Per outcome of its cluster: milestone key → planned achievement (ISO) or null. */
  milestones: Partial<Record<OutcomeKey, Record<string, string | null>>>;
}

export interface DemoData {
  now: Date;
  accounts: AccountInputData[];
  signals: SignalData[];
  completions: ManualCompletionData[];
  plans: AccountPlan[];
}

const NAME_HEADS = ['Acme', 'Northwind', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Pied Piper', 'Soylent',
  'Vandelay', 'Cyberdyne', 'Tyrell', 'Wonka', 'Oscorp', 'Massive Dynamic', 'Aperture', 'Black Mesa', 'Gekko', 'Dunder Mifflin',
  'Prestige', 'Sterling', 'Blue Sun', 'Monarch', 'Nakatomi', 'Virtucon', 'Bluth', 'Krusty', 'Duff', 'Gringotts',
  'Halcyon', 'Kestrel', 'Lumen', 'Meridian', 'Nimbus', 'Orbital', 'Pinnacle', 'Quantum', 'Redwood', 'Solstice'];
const NAME_TAILS = ['Industries', 'Labs', 'Logistics', 'Health', 'Financial', 'Systems', 'Retail', 'Energy', 'Media', 'Robotics'];
const REGIONS = ['EMEA', 'NA', 'APAC', 'LATAM'] as const;
const INDUSTRIES = ['software', 'manufacturing', 'financial services', 'healthcare', 'logistics', 'professional services'] as const;
const ENTERPRISE_CSMS = ['Priya Shah', 'Marco Rossi', 'Dana Kim', 'Tom Becker', 'Aisha Bello'];
const POOLED_CSM = 'Scaled CS pod';
const PRODUCT_LINES = ['core', 'analytics', 'services', 'add_on_seats', 'regional_expansion'];
const TICKET_PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'];

interface PersonaProfile {
  /** Chance of an active (login) day, by days ago. */
  activeP: (daysAgo: number) => number;
  /** No logins at all in the most recent N days. */
  loginGap: [number, number];
  users: [number, number];
  featuresPerDay: [number, number];
  /** Share of the cluster's feature list this account uses at all. */
  breadth: number;
  /** Tickets opened in the last 30 days / in each earlier 30 days. */
  ticketsRecent: [number, number];
  ticketsEarlier: number;
  nps: [number, number] | null;
  /** CSM pulse: latest, earlier. */
  pulse: [number, number];
  /** Days ago of the most recent meeting, and the spacing of earlier ones. */
  meeting: { first: [number, number]; every: [number, number] } | null;
  qbrAgo: [number, number] | null;
  opportunityP: number;
}

const PROFILES: Record<Persona, PersonaProfile> = {
  thriving: {
    activeP: () => 0.8, loginGap: [0, 1], users: [2, 5], featuresPerDay: [2, 4], breadth: 1,
    ticketsRecent: [0, 1], ticketsEarlier: 0.8, nps: [9, 10], pulse: [5, 4],
    meeting: { first: [2, 10], every: [12, 20] }, qbrAgo: [20, 60], opportunityP: 0.6,
  },
  steady: {
    activeP: () => 0.35, loginGap: [1, 6], users: [1, 3], featuresPerDay: [1, 2], breadth: 0.5,
    ticketsRecent: [2, 5], ticketsEarlier: 2.5, nps: [7, 8], pulse: [4, 3],
    meeting: { first: [8, 25], every: [25, 35] }, qbrAgo: [55, 85], opportunityP: 0.3,
  },
  slipping: {
    activeP: (k) => (k >= 45 ? 0.45 : k >= 15 ? 0.25 : 0.15), loginGap: [4, 10], users: [1, 2], featuresPerDay: [1, 2], breadth: 0.45,
    ticketsRecent: [4, 6], ticketsEarlier: 2, nps: [5, 6], pulse: [2, 3],
    meeting: { first: [38, 55], every: [30, 40] }, qbrAgo: [100, 130], opportunityP: 0.15,
  },
  at_risk: {
    activeP: () => 0.3, loginGap: [25, 40], users: [1, 1], featuresPerDay: [1, 2], breadth: 0.35,
    ticketsRecent: [6, 9], ticketsEarlier: 3, nps: [1, 4], pulse: [1, 2],
    meeting: { first: [65, 85], every: [40, 50] }, qbrAgo: [140, 170], opportunityP: 0.05,
  },
  stalled_onboarding: {
    activeP: () => 0.15, loginGap: [12, 20], users: [1, 1], featuresPerDay: [1, 2], breadth: 0.3,
    ticketsRecent: [2, 3], ticketsEarlier: 1, nps: null, pulse: [2, 3],
    meeting: { first: [30, 45], every: [30, 30] }, qbrAgo: null, opportunityP: 0,
  },
};

const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Persona by journey day: the troubled personas need enough journey behind them to show it. */
function pickPersona(rng: Rng, day: number): Persona {
  const r = rng();
  if (day < 55) return r < 0.5 ? 'thriving' : 'steady';
  if (day <= 150) {
    if (r < 0.3) return 'stalled_onboarding';
    if (r < 0.55) return 'thriving';
    if (r < 0.75) return 'steady';
    if (r < 0.9) return 'slipping';
    return day >= 90 ? 'at_risk' : 'slipping';
  }
  if (r < 0.3) return 'thriving';
  if (r < 0.62) return 'steady';
  if (r < 0.81) return 'slipping';
  return 'at_risk';
}

/**
 * Journey day on which each milestone is achieved (null = not achieved), per persona.
 * See the file comment for what each persona should end up as.
 */
function planMilestones(rng: Rng, persona: Persona, day: number, milestones: MilestoneDef[], stuckAfterDays: number): Array<number | null> {
  const sorted = milestones.map((m, i) => ({ m, i })).sort((a, b) => a.m.expectedByDay - b.m.expectedByDay);
  const out: Array<number | null> = milestones.map(() => null);
  const due = sorted.filter(({ m }) => m.expectedByDay <= day);
  const clampDay = (d: number) => Math.max(1, Math.min(day, d));
  switch (persona) {
    case 'thriving': {
      for (const { m, i } of due) out[i] = clampDay(m.expectedByDay - int(rng, 0, 8));
      const next = sorted.find(({ m }) => m.expectedByDay > day);
      if (next && next.m.expectedByDay - day <= 20 && day >= 1 && chance(rng, 0.6)) out[next.i] = clampDay(day - int(rng, 0, 3));
      break;
    }
    case 'steady':
      for (const { m, i } of due) out[i] = clampDay(m.expectedByDay + int(rng, -3, 10));
      break;
    case 'slipping': {
      // One due milestone missed; the latest achieved one caught up within the last 3 weeks → BEHIND, not STUCK.
      const missed = chance(rng, 0.5) ? due.length - 1 : int(rng, 0, Math.max(0, due.length - 2));
      due.forEach(({ m, i }, n) => { if (n !== missed) out[i] = clampDay(m.expectedByDay + int(rng, -2, 8)); });
      const achieved = due.filter((_, n) => n !== missed);
      const last = achieved[achieved.length - 1];
      if (last) out[last.i] = clampDay(day - int(rng, 3, 20));
      break;
    }
    case 'at_risk': {
      // The latest half of the due milestones missed and nothing achieved for over `stuckAfterDays` → STUCK.
      const cutoff = day - stuckAfterDays - 5;
      const missCount = Math.max(2, Math.ceil(due.length / 2));
      due.forEach(({ m, i }, n) => {
        if (n >= due.length - missCount || m.expectedByDay + 5 > cutoff) return;
        out[i] = Math.max(1, m.expectedByDay + int(rng, 0, 5));
      });
      break;
    }
    case 'stalled_onboarding':
      if (sorted[0]) out[sorted[0].i] = int(rng, 1, Math.min(4, Math.max(1, day)));
      break;
  }
  return out;
}

/** n times ending exactly at `last`: a day apart (distinct UTC dates) when room allows, never before `start`. */
function spreadBefore(last: number, start: number, n: number, distinctDays: boolean): number[] {
  const gap = distinctDays ? DAY : Math.min(DAY, (last - start) / (n + 1));
  return Array.from({ length: n }, (_, j) => last - (n - 1 - j) * gap);
}

export function generateDemo(now: Date = new Date(), seed = 2026): DemoData {
  const nowMs = now.getTime();
  const accounts: AccountInputData[] = [];
  const signals: SignalData[] = [];
  const completions: ManualCompletionData[] = [];
  const plans: AccountPlan[] = [];
  const names = shuffled(mulberry32(seed), NAME_HEADS.slice(1).flatMap((h) => NAME_TAILS.map((t) => `${h} ${t}`)));

  for (let i = 0; i < ACCOUNT_COUNT; i++) {
    const rng = mulberry32(seed * 7919 + i); // per account: one account's draws never shift another's
    const acme = i === 0; // source 002's Acme Corp: a year in, renewed, logs in daily, NPS 8
    // Journey days spread evenly over 0-400: slot = a permutation of 0..199.
    const slot = (i * 97 + 186) % ACCOUNT_COUNT;
    const day = slot * 2 + int(rng, 0, 1);
    const planRoll = rng();
    const plan = acme ? 'enterprise' : planRoll < 0.38 ? 'enterprise' : planRoll < 0.7 ? 'business' : 'starter';
    const managed = acme || (plan === 'enterprise' ? chance(rng, 0.9) : plan === 'business' ? chance(rng, 0.2) : false);
    const cluster: ClusterKey = managed && plan === 'enterprise' ? 'enterprise' : 'selfServe';
    const persona: Persona = acme ? 'thriving' : pickPersona(rng, day);
    const profile = PROFILES[persona];
    const externalId = acme ? 'acme-corp' : `acct-${String(i).padStart(3, '0')}`;
    const name = acme ? 'Acme Corp' : names[i];
    const seats = plan === 'enterprise' ? int(rng, 60, 400) : plan === 'business' ? int(rng, 10, 60) : int(rng, 2, 10);
    const arr = plan === 'enterprise' ? int(rng, 60, 400) * 1000 : plan === 'business' ? int(rng, 12, 60) * 1000 : int(rng, 12, 100) * 100;
    const start = nowMs - day * DAY - 12 * HOUR; // journey day j spans [start + j·DAY, start + (j+1)·DAY)
    const years = Math.floor(day / 365);
    const anniversary = start + 365 * DAY;
    const lifecycle: AccountInputData['lifecycleOutcomes'] = [];
    let churnedAt: number | null = null;
    if (day > 365) {
      if (persona === 'at_risk') {
        churnedAt = anniversary;
        lifecycle.push({ kind: 'CHURNED', date: isoDate(anniversary) });
      } else if (persona === 'slipping') {
        lifecycle.push({ kind: 'CONTRACTED', date: isoDate(anniversary) });
      } else {
        lifecycle.push({ kind: 'RENEWED', date: isoDate(anniversary) });
        if (persona === 'thriving' && !acme && chance(rng, 0.4)) lifecycle.push({ kind: 'EXPANDED', date: isoDate(anniversary) });
      }
    }
    accounts.push({
      externalId,
      name,
      attributes: {
        plan, arr, seats, managed, region: acme ? 'NA' : pick(rng, REGIONS), industry: acme ? 'manufacturing' : pick(rng, INDUSTRIES),
        key_features: KEY_FEATURES[cluster],
      },
      csmOwner: !managed ? null : plan === 'enterprise' ? pick(rng, ENTERPRISE_CSMS) : POOLED_CSM,
      journeyStartedAt: new Date(start).toISOString(),
      renewalDate: isoDate(churnedAt ?? start + (years + 1) * 365 * DAY),
      lifecycleOutcomes: lifecycle,
    });

    const emit = (type: string, t: number, subject?: string, value?: number) => {
      const s: SignalData = { accountExternalId: externalId, type, occurredAt: new Date(Math.round(t)).toISOString() };
      if (subject !== undefined) s.subject = subject;
      if (value !== undefined) s.value = value;
      signals.push(s);
    };
    /** A moment on journey day j (its first half, so day `day` is never in the future). */
    const onJourneyDay = (j: number) => start + j * DAY + rng() * 11 * HOUR;
    /** A moment `k` days ago (k ≤ day). */
    const daysAgo = (k: number) => nowMs - k * DAY - rng() * 11 * HOUR;

    // --- Milestones of the outcomes of its cluster: planned dates, their signals, manual completions ---
    const gates: Array<{ type: string; subject?: string; after: number }> = [];
    const intent: AccountPlan = { externalId, persona, cluster, journeyDay: day, milestones: {} };
    for (const outcome of OUTCOMES.filter((o) => o.cluster === cluster)) {
      const milestones = outcome.journey.stages.flatMap((s) => s.milestones);
      const days = planMilestones(rng, persona, day, milestones, outcome.journey.stuckAfterDays);
      const planned: Record<string, string | null> = {};
      milestones.forEach((m, n) => {
        let j = days[n];
        if (j !== null && m.rule?.aggregation === 'DISTINCT_DAYS') {
          j = Math.min(day, Math.max(j, m.rule.atLeast)); // room for n distinct days after the start
          if (j < m.rule.atLeast - 1) j = null;
        }
        if (j !== null && churnedAt !== null && start + j * DAY > churnedAt) j = null;
        const at = j === null ? null : onJourneyDay(j);
        planned[m.key] = at === null ? null : new Date(Math.round(at)).toISOString();
        if (m.completion === 'MANUAL') {
          if (at !== null) completions.push({ accountExternalId: externalId, outcome: outcome.key, milestoneKey: m.key, achievedAt: planned[m.key]!, note: `Demo: ${m.name.toLowerCase()}` });
          return;
        }
        const rule = m.rule!;
        gates.push({ type: rule.signalType, subject: rule.subject, after: at ?? Infinity });
        if (at === null) return;
        const n_ = Math.ceil(rule.atLeast);
        if (rule.aggregation === 'SUM') {
          const parts = Math.min(4, n_);
          const each = Math.ceil(rule.atLeast / parts);
          spreadBefore(at, start, parts, false).forEach((t) => emit(rule.signalType, t, rule.subject, each));
        } else {
          const times = spreadBefore(at, start, n_, rule.aggregation === 'DISTINCT_DAYS');
          times.forEach((t, k) => emit(rule.signalType, t, rule.aggregation === 'DISTINCT_SUBJECTS' ? `${rule.subject ?? 'item'}-${k + 1}` : rule.subject));
        }
      });
      intent.milestones[outcome.key] = planned;
    }
    plans.push(intent);

    /** Stream signals must not complete a milestone earlier than planned (or at all when it is missed). */
    const allowed = (type: string, subject: string | undefined, t: number) =>
      gates.every((g) => g.type !== type || (g.subject !== undefined && g.subject !== subject) || t > g.after);
    const stream = (type: string, t: number, subject?: string, value?: number) => {
      if (t < start || (churnedAt !== null && t > churnedAt) || !allowed(type, subject, t)) return;
      emit(type, t, subject, value);
    };

    // --- 90 days of activity ---
    const horizon = Math.min(SIGNAL_DAYS - 1, day);
    const users = Array.from({ length: Math.min(seats, int(rng, profile.users[0], profile.users[1]) + 1) }, (_, u) => `user-${u + 1}`);
    const features = shuffled(rng, FEATURES[cluster]).slice(0, Math.max(1, Math.round(FEATURES[cluster].length * profile.breadth)));
    // New, healthy accounts are busy on their first day (onboarding), whatever the weekday.
    const firstDayBurst = day < 14 && (persona === 'thriving' || persona === 'steady');
    const loginGap = firstDayBurst ? 0 : int(rng, profile.loginGap[0], profile.loginGap[1]);
    for (let k = horizon; k >= 0; k--) {
      if (k < loginGap) continue;
      const weekday = new Date(nowMs - k * DAY).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      const p = acme ? 0.97 : firstDayBurst && k === day ? 1 : profile.activeP(k) * (weekend ? 0.3 : 1);
      if (!chance(rng, p)) continue;
      const dayStart = daysAgo(k);
      const activeUsers = shuffled(rng, users).slice(0, int(rng, 1, users.length));
      activeUsers.forEach((u, n) => stream('login', dayStart - n * 7 * 60_000, u));
      const nFeatures = int(rng, profile.featuresPerDay[0], profile.featuresPerDay[1]);
      for (let f = 0; f < nFeatures; f++) stream('feature_used', dayStart - (f + 1) * 3 * 60_000, pick(rng, features));
      if (cluster === 'enterprise' && chance(rng, profile.opportunityP)) stream('opportunity_created', dayStart - 50 * 60_000, pick(rng, PRODUCT_LINES));
      if (cluster === 'enterprise' && chance(rng, profile.opportunityP / 2)) stream('stakeholder_added', dayStart - 55 * 60_000, undefined, int(rng, 1, 4));
      if (cluster === 'selfServe' && chance(rng, profile.opportunityP / 2)) stream('plan_shared', dayStart - 55 * 60_000);
    }

    // Tickets: the last 30 days per persona, earlier months at the persona's base rate.
    const tickets = [
      ...Array.from({ length: int(rng, profile.ticketsRecent[0], profile.ticketsRecent[1]) }, () => int(rng, 0, 29)),
      ...Array.from({ length: poisson(rng, profile.ticketsEarlier) + poisson(rng, profile.ticketsEarlier) }, () => int(rng, 30, 89)),
    ];
    for (const k of tickets) {
      if (k > day) continue;
      const opened = daysAgo(k);
      stream('ticket_opened', opened, pick(rng, TICKET_PRIORITIES));
      const resolveDays = persona === 'at_risk' ? int(rng, 3, 12) : int(rng, 0, 3);
      if (k - resolveDays >= 1) stream('ticket_resolved', opened + resolveDays * DAY, undefined, resolveDays * 24 + int(rng, 1, 20));
    }

    // NPS: one survey answer in the window (Acme Corp answered 8: "satisfied, room for improvement").
    if (profile.nps && (managed || chance(rng, 0.6))) {
      const k = int(rng, 5, 80);
      if (k <= day) stream('nps', daysAgo(k), undefined, acme ? 8 : int(rng, profile.nps[0], profile.nps[1]));
    }

    // Invoices: monthly; slipping paid one late, at-risk has the latest one (and maybe the one before) overdue.
    const monthly = arr / 12;
    const invoiceOffset = int(rng, 0, 29);
    for (let k = invoiceOffset; k < SIGNAL_DAYS; k += 30) {
      if (k > day) break;
      const late = (persona === 'slipping' && k >= 30 && k < 60) || (persona === 'at_risk' && (k < 30 || (k < 60 && chance(rng, 0.5))));
      if (!late) { stream('invoice_paid', daysAgo(k), undefined, monthly); continue; }
      stream('invoice_overdue', daysAgo(k), undefined, monthly); // the due date passed unpaid
      if (persona === 'slipping') stream('invoice_paid', daysAgo(k - 25), undefined, monthly); // paid 25 days late
    }

    // CSM touchpoints (managed accounts only): meetings, QBRs (enterprise), monthly pulse, trainings.
    if (managed && profile.meeting) {
      for (let k = int(rng, profile.meeting.first[0], profile.meeting.first[1]); k < SIGNAL_DAYS && k <= day; k += int(rng, profile.meeting.every[0], profile.meeting.every[1])) {
        stream('meeting', daysAgo(k), pick(rng, ['check_in', 'check_in', 'training', 'success_plan_review']));
      }
      const pulseOffset = int(rng, 0, 6);
      for (let k = pulseOffset; k < SIGNAL_DAYS && k <= day; k += 30) stream('csm_pulse', daysAgo(k), undefined, k === pulseOffset ? profile.pulse[0] : profile.pulse[1]);
    }
    if (cluster === 'enterprise' && profile.qbrAgo) {
      const k = int(rng, profile.qbrAgo[0], profile.qbrAgo[1]);
      if (k <= day) stream('qbr', daysAgo(k));
    }
    if (persona === 'thriving' && managed && day > 30) stream('training', daysAgo(int(rng, 3, Math.min(60, day))), 'advanced_features');

    // Tags: risk and confidence markers a CSM would set.
    if (persona === 'at_risk' && cluster === 'enterprise' && chance(rng, 0.6)) stream('tag:champion_left', daysAgo(int(rng, 20, Math.min(50, day))), undefined, 1);
    if (persona === 'thriving' && day > 200 && chance(rng, 0.25)) stream('tag:case_study', daysAgo(int(rng, 5, 60)), undefined, 1);
    if (acme) stream('tag:upsell_candidate', daysAgo(6), undefined, 1);
  }
  return { now, accounts, signals, completions, plans };
}

/** Counts for the seed's summary line and the test. */
export function summarize(data: DemoData): Record<string, Record<string, number>> {
  const count = <T extends string>(xs: T[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});
  return {
    personas: count(data.plans.map((p) => p.persona)),
    clusters: count(data.plans.map((p) => p.cluster)),
    signals: count(data.signals.map((s) => s.type)),
  };
}
