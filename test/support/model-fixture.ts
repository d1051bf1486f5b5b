/**
 * A small but complete model built through the services (as ops would through the API): a managed-enterprise
 * cluster and the default one, an outcome in each (the worked-example coin, the four-stage journey), and accounts
 * with deterministic signals: 3 of every 4 accounts managed, half of those enterprise.
 */
import type { DataSource } from 'typeorm';
import { assignClusters } from '../../src/clusters/cluster.assign';
import { createCluster } from '../../src/clusters/cluster.service';
import { defineCoin } from '../../src/coins/coin.service';
import { defineJourney } from '../../src/journeys/journey.service';
import { createOutcome } from '../../src/outcomes/outcome.service';
import { TenantScope } from '../../src/shared/tenant';
import { FOUR_STAGE_JOURNEY, WORKED_EXAMPLE_COIN } from './fixtures';

export const AS_OF = new Date('2026-03-01T00:00:00Z');

export async function buildModel(db: DataSource, workspaceId: string, accounts = 40): Promise<{ enterpriseOutcomeId: string; defaultOutcomeId: string }> {
  const scope = TenantScope.system(db, workspaceId);
  const { cluster } = await createCluster(scope, {
    name: 'Managed enterprise', priority: 10, rule: { all: [{ attribute: 'managed', op: 'EQ', value: true }, { attribute: 'plan', op: 'IN', value: ['enterprise'] }] },
  } as never);
  const [{ id: defaultClusterId }] = await db.query(`SELECT id FROM clusters WHERE workspace_id = $1 AND is_default`, [workspaceId]);
  const ent = await createOutcome(scope, { clusterId: cluster.id, name: 'Stakeholder intelligence', weight: 2 } as never);
  const dft = await createOutcome(scope, { clusterId: defaultClusterId, name: 'Self-serve adoption' } as never);
  for (const o of [ent, dft]) {
    await defineJourney(scope, o.id, structuredClone(FOUR_STAGE_JOURNEY) as never);
    await defineCoin(scope, o.id, structuredClone(WORKED_EXAMPLE_COIN) as never);
  }
  await db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id, attributes)
     SELECT $1, 'acc-' || lpad(g::text, 4, '0'), 'Account ' || g, $3::timestamptz - (g * 7 % 200) * interval '1 day', $4,
            jsonb_build_object('managed', g % 4 <> 0, 'plan', CASE WHEN g % 2 = 0 THEN 'enterprise' ELSE 'pro' END,
                               'seats', 10 + g % 7, 'key_features', 5)
     FROM generate_series(1, $2) g`, [workspaceId, accounts, AS_OF, defaultClusterId]);
  await assignClusters(scope);
  // Signals: logins, features, tickets, pulses and meetings in amounts that vary by account.
  await db.query(
    `INSERT INTO signals (workspace_id, account_id, type, subject, value, occurred_at)
     SELECT a.workspace_id, a.id, t.type, t.type || '_' || (k % 5), CASE t.type WHEN 'csm_pulse' THEN 1 + (n + k) % 5 ELSE NULL END,
            $2::timestamptz - ((k * 3 + n) % 60) * interval '1 day' - interval '1 hour'
     FROM (SELECT *, row_number() OVER (ORDER BY external_id) AS n FROM accounts WHERE workspace_id = $1) a
     CROSS JOIN (VALUES ('login', 12), ('feature_used', 6), ('ticket_opened', 3), ('csm_pulse', 2), ('meeting', 1), ('qbr', 1)) AS t(type, m)
     CROSS JOIN LATERAL generate_series(1, (t.m * (1 + a.n % 3)) / 2) k`, [workspaceId, AS_OF]);
  return { enterpriseOutcomeId: ent.id, defaultOutcomeId: dft.id };
}
