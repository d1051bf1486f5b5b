/**
 * Cluster discovery on the demo workspace (seeds/): its two personas, "Managed enterprise" (meetings, pulse,
 * QBRs, stakeholder and opportunity milestones) and "Self-serve tech-touch", are found from product usage alone,
 * and the managed persona is described by the attribute the seed built it from.
 */
import { seedDemo, type DemoSeedResult } from '../seeds/demo';
import { adjustedRandIndex } from '../src/discovery/clustering';
import { processDiscovery } from '../src/discovery/discovery.service';
import { useTestServer } from './support/harness';

/** Product usage: the demo's signal types less support tickets, invoices, surveys and tags (they speak of health, not persona). */
/** The attributes an ops person would describe segments by (the demo's `key_features` is set from its current clusters). */
const SEGMENT_ATTRIBUTES = ['plan', 'managed', 'seats', 'arr', 'region', 'industry'];

export const DEMO_USAGE_TYPES = ['feature_used', 'login', 'plan_shared', 'opportunity_created', 'user_invited', 'stakeholder_added',
  'csm_pulse', 'meeting', 'training', 'integration_connected', 'qbr'];

/** The latest Thursday 12:00 UTC at or before `now`: seeded there, the demo is the same data shifted by whole weeks. */
function latestThursdayNoon(now: Date): Date {
  const t = new Date(now); t.setUTCHours(12, 0, 0, 0);
  t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 7 - 4) % 7)); // back to Thursday (day 4)
  if (t.getTime() > now.getTime()) t.setUTCDate(t.getUTCDate() - 7);
  return t;
}

describe('cluster discovery on the demo workspace', () => {
  const t = useTestServer();
  let seeded: DemoSeedResult;
  // The demo is seeded at a fixed weekday and hour, and discovery reads the 90 days ending there (asOf), so the groups
  // found do not depend on when the suite runs. They did: the seed's usage has a weekly rhythm (seeded on two weekdays
  // of seven, silhouette chooses k = 4: docs/discovery.md, "How stable is it"), and its signals fall on UTC dates by
  // time of day while the window ended at the real now.
  const seedTime = latestThursdayNoon(new Date());
  beforeAll(async () => { seeded = await seedDemo(t.db, { now: seedTime }); }, 120_000);

  async function discover(input: Record<string, unknown>): Promise<{ d: any; ari: number; groups: Map<string, number> }> {
    const s = await t.ok('mutation($i: DiscoverClustersInput) { discoverClusters(input: $i) { id asOf } }', { i: { asOf: seedTime, ...input } }, seeded.adminKey);
    expect(new Date(s.discoverClusters.asOf).getTime()).toBe(seedTime.getTime());
    const id = s.discoverClusters.id;
    expect(await processDiscovery(t.db, seeded.workspaceId, id)).toBe('SUCCEEDED');
    const d = (await t.ok(`query($id: ID!) { clusterDiscovery(id: $id) { k suggestions { index size ruleText precision recall whyNoRule
      traits { feature effect } lifecycle { decided churnRate } health { scored meanScore } bestAccounts { externalId } } } }`, { id }, seeded.adminKey)).clusterDiscovery;
    const rows: Array<{ external_id: string; group_index: number }> = await t.db.query(
      `SELECT a.external_id, m.group_index FROM cluster_discovery_members m JOIN accounts a ON a.workspace_id = m.workspace_id AND a.id = m.account_id
        WHERE m.workspace_id = $1 AND m.discovery_id = $2`, [seeded.workspaceId, id]);
    const groups = new Map(rows.map((r) => [r.external_id, r.group_index]));
    const plans = seeded.data.plans;
    return { d, groups, ari: adjustedRandIndex(plans.map((p) => p.cluster), plans.map((p) => groups.get(p.externalId)!)) };
  }

  it('finds the two personas from product usage, k chosen by silhouette, and says how far attributes describe them', async () => {
    const { d, ari, groups } = await discover({ signalTypes: DEMO_USAGE_TYPES, attributes: SEGMENT_ATTRIBUTES });
    const nmf = await discover({ signalTypes: DEMO_USAGE_TYPES, attributes: SEGMENT_ATTRIBUTES, method: 'NMF' });
    const everything = await discover({});
    const intensity = await discover({ signalTypes: DEMO_USAGE_TYPES, attributes: SEGMENT_ATTRIBUTES, intensity: true });
    // The comparison in docs/discovery.md.
    // eslint-disable-next-line no-console
    console.log(`demo ARI: k-means ${ari.toFixed(3)} (k ${d.k}), NMF ${nmf.ari.toFixed(3)} (k ${nmf.d.k}), `
      + `k-means with intensity ${intensity.ari.toFixed(3)} (k ${intensity.d.k}), k-means on every signal type ${everything.ari.toFixed(3)} (k ${everything.d.k})`);
    expect(d.k).toBe(2);
    expect(ari).toBeGreaterThanOrEqual(0.6);

    // The managed persona: meetings, stakeholders, opportunities, the whitespace map; nearly all its accounts are the seed's.
    const managed = d.suggestions.find((s: any) => s.traits.some((x: any) => x.feature === 'share:meeting' && x.effect > 0));
    const selfServe = d.suggestions.find((s: any) => s !== managed);
    expect(managed.traits.map((x: any) => x.feature)).toEqual(expect.arrayContaining(['share:stakeholder_added', 'subject:feature_used:whitespace_map']));
    const members = seeded.data.plans.filter((p) => groups.get(p.externalId) === managed.index);
    expect(members.filter((p) => p.cluster === 'enterprise').length / members.length).toBeGreaterThanOrEqual(0.9);
    // Young managed accounts have not reached those milestones yet and use the product like self-serve ones, so
    // `managed = true` also matches accounts outside the group: no rule, and the reason names the best one found.
    expect(managed.ruleText).toBeNull();
    expect(managed.whyNoRule).toMatch(/managed = true/);
    expect(selfServe.ruleText).toMatch(/^managed != true/);
    expect(selfServe.precision).toBeGreaterThanOrEqual(0.9);
    for (const s of d.suggestions) {
      expect(s.health.scored).toBe(s.size); // the demo is scored at the end of the seed
      expect(s.bestAccounts.length).toBeGreaterThan(0);
    }
  }, 60_000);
});
