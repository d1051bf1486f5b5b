/**
 * The demo workspace ships two plays and shows open tasks right after the seed (what `npm start` runs on an empty
 * database): STUCK enterprise accounts have a task for their CSM; the renewal webhook play is disabled.
 */
import { DEMO_PLAYS } from '../seeds/plays';
import { seedDemo, type DemoSeedResult } from '../seeds/demo';
import { useTestServer } from './support/harness';

describe('demo plays', () => {
  const t = useTestServer();
  let seeded: DemoSeedResult;

  beforeAll(async () => { seeded = await seedDemo(t.db); }, 120_000);

  it('ships a STUCK → CSM task play (enabled) and a RED-before-renewal → webhook play (disabled)', async () => {
    const { plays } = await t.ok(`{ plays { name enabled trigger { kind journeyStatuses days bands } task { owner priority } webhookEndpointId } }`, {}, seeded.adminKey);
    expect(plays).toEqual([
      { name: DEMO_PLAYS.renewal, enabled: false, trigger: { kind: 'RENEWAL_WITHIN', journeyStatuses: null, days: 60, bands: ['RED'] }, task: null, webhookEndpointId: expect.any(String) },
      { name: DEMO_PLAYS.stuck, enabled: true, trigger: { kind: 'JOURNEY_STATUS', journeyStatuses: ['STUCK'], days: null, bands: null }, task: { owner: null, priority: 'HIGH' }, webhookEndpointId: null },
    ]);
  });

  it('has an open task, owned by the CSM, for every STUCK outcome of every managed enterprise account', async () => {
    const { accounts } = await t.ok(`{ accounts(first: 200) { edges { node { name csmOwner cluster { name }
      outcomes { outcome { name } journey { status } } tasks(status: OPEN) { title owner dueOn priority } } } } }`, {}, seeded.adminKey);
    const expected: string[] = [];
    const actual: string[] = [];
    for (const { node } of accounts.edges) {
      if (node.cluster.name === 'Managed enterprise') {
        for (const o of node.outcomes) if (o.journey.status === 'STUCK') expected.push(`${node.name} is STUCK on "${o.outcome.name}": plan a recovery call|${node.csmOwner}`);
      }
      for (const task of node.tasks) actual.push(`${task.title}|${task.owner}`);
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(actual.sort()).toEqual(expected.sort());
    const { tasks } = await t.ok(`{ tasks(filter: { statuses: [OPEN] }, first: 1) { totalCount } }`, {}, seeded.adminKey);
    expect(tasks.totalCount).toBe(expected.length);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries`)).toEqual([{ n: 0 }]);
  });
});
