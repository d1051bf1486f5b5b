/**
 * Retention of what plays leave behind, purged set-based by the daily job: DELIVERED webhook deliveries (with their
 * attempt log) after WEBHOOK_DELIVERED_RETENTION_DAYS, DEAD ones (dead-letter) only after the longer
 * WEBHOOK_DEAD_RETENTION_DAYS — a redelivered one is no longer DEAD — and cleared firings and closed tasks after
 * PLAY_HISTORY_RETENTION_DAYS. Pending work, open firings and OPEN tasks stay whatever their age.
 */
import { jobHandlers } from '../src/job-handlers';
import type { PlayInput } from '../src/plays/play.gql';
import { purgePlayHistory } from '../src/plays/play.retention';
import { createPlay } from '../src/plays/play.service';
import { config } from '../src/shared/config';
import { TenantScope } from '../src/shared/tenant';
import { purgeDeliveries } from '../src/webhooks/webhook.retention';
import { createEndpoint } from '../src/webhooks/webhook.service';
import { useTestServer } from './support/harness';
import { createLoginModel } from './support/scoring-model';

describe('play and webhook history retention', () => {
  const t = useTestServer();

  /** A workspace with one account, one play and one endpoint, and rows of every kind, `days` old as named. */
  async function history() {
    const ws = await t.workspace();
    const scope = TenantScope.system(t.db, ws.id);
    const { accountIds: [accountId] } = await createLoginModel(t.db, ws.id, 1);
    const { endpoint } = await createEndpoint(scope, { name: 'CRM', url: 'https://hooks.example.com/x', enabled: true });
    const play = await createPlay(scope, { name: 'Red', trigger: { kind: 'BAND_ENTERED', band: 'RED' }, webhookEndpointId: endpoint.id } as unknown as PlayInput);
    const delivery = async (name: string, state: string, daysAgo: number) => {
      const [d] = await t.db.query(
        `INSERT INTO webhook_deliveries (workspace_id, endpoint_id, play_id, account_id, event, payload, state, attempts, created_at, delivered_at, dead_at)
         VALUES ($1, $2, $3, $4, 'play.fired', jsonb_build_object('name', $5::text), $6, 1, now() - make_interval(days => $7::int + 1),
                 CASE WHEN $6 = 'DELIVERED' THEN now() - make_interval(days => $7::int) END, CASE WHEN $6 = 'DEAD' THEN now() - make_interval(days => $7::int) END)
         RETURNING id`, [ws.id, endpoint.id, play.id, accountId, name, state, daysAgo]);
      await t.db.query(`INSERT INTO webhook_attempts (workspace_id, delivery_id, attempt, started_at, status_code, latency_ms)
        VALUES ($1, $2, 1, now() - make_interval(days => $3::int), 200, 12)`, [ws.id, d.id, daysAgo]);
    };
    await delivery('delivered 31 days ago', 'DELIVERED', 31);
    await delivery('delivered 29 days ago', 'DELIVERED', 29);
    await delivery('dead 31 days ago', 'DEAD', 31);
    await delivery('dead 91 days ago', 'DEAD', 91);
    await delivery('pending, created 200 days ago (redelivered)', 'PENDING', 200);
    const firing = async (firedDaysAgo: number, clearedDaysAgo: number | null) => await t.db.query(
      `INSERT INTO play_firings (workspace_id, play_id, account_id, scope_key, fired_at, cleared_at)
       VALUES ($1, $2, $3, $4, now() - make_interval(days => $5::int), now() - make_interval(days => $6::int))`,
      [ws.id, play.id, accountId, `k${firedDaysAgo}`, firedDaysAgo, clearedDaysAgo]);
    await firing(500, 401); // cleared past the retention: purged
    await firing(420, 300); // cleared within it: kept (it still decides a long cooldown)
    await firing(1000, null); // open: kept
    const task = async (title: string, status: string, closedDaysAgo: number | null) => await t.db.query(
      `INSERT INTO tasks (workspace_id, account_id, title, status, status_changed_at, created_at)
       VALUES ($1, $2, $3, $4, now() - make_interval(days => $5::int), now() - interval '1000 days')`, [ws.id, accountId, title, status, closedDaysAgo]);
    await task('done 401 days ago', 'DONE', 401);
    await task('dismissed 10 days ago', 'DISMISSED', 10);
    await task('open for 1000 days', 'OPEN', null);
    return ws;
  }

  const left = async (workspaceId: string) => ({
    deliveries: (await t.db.query(`SELECT payload->>'name' AS name FROM webhook_deliveries WHERE workspace_id = $1 ORDER BY 1`, [workspaceId])).map((r: any) => r.name),
    attempts: (await t.db.query(`SELECT count(*)::int AS n FROM webhook_attempts WHERE workspace_id = $1`, [workspaceId]))[0].n,
    firings: (await t.db.query(`SELECT extract(day FROM now() - fired_at)::int AS age FROM play_firings WHERE workspace_id = $1 ORDER BY 1`, [workspaceId])).map((r: any) => r.age),
    tasks: (await t.db.query(`SELECT title FROM tasks WHERE workspace_id = $1 ORDER BY 1`, [workspaceId])).map((r: any) => r.title),
  });

  it('the daily job purges delivered deliveries after 30 days, dead letters after 90, cleared firings and closed tasks after 400 (the defaults)', async () => {
    expect(config).toMatchObject({ webhookDeliveredRetentionDays: 30, webhookDeadRetentionDays: 90, playHistoryRetentionDays: 400 });
    const a = await history();
    const b = await history(); // every workspace, in the same statements
    const result = await jobHandlers(t.db).dailyRescore();
    expect(result).toMatchObject({ purged: expect.objectContaining({ delivered: expect.any(Number), dead: expect.any(Number), firings: expect.any(Number), tasks: expect.any(Number) }) });
    for (const ws of [a, b]) {
      expect(await left(ws.id)).toEqual({
        deliveries: ['dead 31 days ago', 'delivered 29 days ago', 'pending, created 200 days ago (redelivered)'],
        attempts: 3, // the purged deliveries' attempt log went with them
        firings: [420, 1000],
        tasks: ['dismissed 10 days ago', 'open for 1000 days'],
      });
    }
  });

  it('keeps each kind for the configured time', async () => {
    const ws = await history();
    // Shorter delivery retention: every DELIVERED and DEAD one older than 10 / 30 days goes; pending work stays.
    await purgeDeliveries(t.db, { deliveredDays: 10, deadDays: 30 });
    // A longer history retention than the default keeps the firing cleared 401 days ago and the task closed then.
    await purgePlayHistory(t.db, 450);
    expect(await left(ws.id)).toEqual({
      deliveries: ['pending, created 200 days ago (redelivered)'],
      attempts: 1,
      firings: [420, 500, 1000],
      tasks: ['dismissed 10 days ago', 'done 401 days ago', 'open for 1000 days'],
    });
    // Counted from an injected time, 60 days on: the firing cleared 401 + 60 days before is past 450 days.
    await purgePlayHistory(t.db, 450, new Date(Date.now() + 60 * 86_400_000));
    expect(await left(ws.id)).toMatchObject({ firings: [420, 1000], tasks: ['dismissed 10 days ago', 'open for 1000 days'] });
  });
});
