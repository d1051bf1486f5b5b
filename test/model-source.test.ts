/**
 * The contract others build on (backtests, cluster suggestions): resolveModel gives a document and the engine's
 * configuration for the live model, and the engine scores under a given configuration — assigning clusters by its
 * rules — exactly as it scores once that configuration is live.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { updateCluster } from '../src/clusters/cluster.service';
import { documentToConfig } from '../src/model/model.config';
import { resolveModel } from '../src/model/model.source';
import { scoreAccounts } from '../src/scoring/engine';
import { modelHash } from '../src/scoring/model-config';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer } from './support/harness';
import { AS_OF, buildModel } from './support/model-fixture';

describe('model source', () => {
  const t = useTestServer();

  it('exports the live model as a key-based document whose configuration is the live one, bit for bit', async () => {
    const ws = await t.workspace();
    await buildModel(t.db, ws.id, 8);
    const live = await resolveModel(TenantScope.system(t.db, ws.id), { live: true });
    expect(JSON.stringify(live.document)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // no database ids
    expect(live.document.clusters.map((c) => [c.key, c.isDefault])).toEqual([['managed_enterprise', false], ['everyone_else', true]]);
    expect(live.document.outcomes.map((o) => [o.key, o.cluster])).toEqual([
      ['stakeholder_intelligence', 'managed_enterprise'], ['self_serve_adoption', 'everyone_else']]);
    expect(live.document.coins[0].components[1]).toMatchObject({ key: 'login_frequency', weight: 20 });
    // The document with the live ids is the live configuration.
    expect(modelHash(documentToConfig(live.document, live.ids))).toBe(live.hash);
    expect(documentToConfig(live.document, live.ids)).toEqual(live.config);
    // The committed JSON Schema accepts the exported document, and names what is wrong in a broken one.
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schema', 'model.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    expect(validate(live.document)).toBe(true);
    const broken = structuredClone(live.document) as unknown as { coins: Array<{ components: Array<Record<string, unknown>> }> };
    broken.coins[0].components[0].weight = 'heavy';
    delete broken.coins[0].components[1].side;
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath).sort()).toEqual(['/coins/0/components/0/weight', '/coins/0/components/1']);
  });

  it('scores under a given configuration, clusters assigned by its rules, as scoring does once it is live', async () => {
    const ws = await t.workspace();
    await buildModel(t.db, ws.id, 40);
    const scope = TenantScope.system(t.db, ws.id);
    const live = await resolveModel(scope, { live: true });
    // The live configuration given explicitly (clusters assigned in SQL) scores exactly as the default path.
    const plain = await scoreAccounts(scope, { asOf: AS_OF, persist: false });
    const given = await scoreAccounts(scope, { asOf: AS_OF, persist: false, config: live.config, assignClusters: true });
    expect(given.outcomes).toEqual(plain.outcomes);
    expect(given.accounts).toEqual(plain.accounts);

    // A changed cluster rule (enterprise no longer needs `managed`) moves accounts: scored before it is applied …
    const changed = structuredClone(live.config);
    const enterprise = changed.clusters.find((c) => !c.isDefault)!;
    enterprise.rule = { attribute: 'plan', op: 'IN' as never, value: ['enterprise'] };
    const proposed = await scoreAccounts(scope, { asOf: AS_OF, persist: false, config: changed, assignClusters: true });
    // … and after: the same numbers, bit for bit.
    await updateCluster(scope, enterprise.id, { rule: enterprise.rule } as never);
    const after = await scoreAccounts(scope, { asOf: AS_OF, persist: false });
    expect(after.modelHash).toBe(modelHash(changed));
    expect(proposed.outcomes).toEqual(after.outcomes);
    expect(proposed.accounts).toEqual(after.accounts);
    // And it did move accounts (the test would prove nothing otherwise).
    const outcomesPerAccount = (r: typeof plain) => new Map(r.outcomes!.map((o) => [o.accountId, o.outcomeId]));
    const before = outcomesPerAccount(plain);
    const moved = [...outcomesPerAccount(after)].filter(([a, o]) => before.get(a) !== o);
    expect(moved.length).toBeGreaterThan(0);
  });
});
