import { Role } from '../src/shared/auth';
import { useTestServer } from './support/harness';

describe('workspaces, API keys and authentication', () => {
  const t = useTestServer();

  it('rejects requests without a key or with an unknown key as UNAUTHENTICATED', async () => {
    for (const key of [undefined, 'oh_not-a-real-key']) {
      const res = await t.gql('{ viewer { role } }', {}, key);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.data).toBeNull();
    }
  });

  it('creates a key shown once, stores only its hash, and revokes it', async () => {
    const ws = await t.workspace();
    const created = await t.ok(
      `mutation { createApiKey(input: { name: "Segment", role: INGEST }) { key apiKey { id prefix role } } }`, {}, ws.adminKey);
    const { key, apiKey } = created.createApiKey;
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const stored = await t.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [apiKey.id]);
    expect(stored[0].key_hash).not.toContain(key);
    expect(stored[0].key_hash).toHaveLength(64);

    expect((await t.ok('{ viewer { role workspace { id } } }', {}, key)).viewer).toEqual({ role: 'INGEST', workspace: { id: ws.id } });
    await t.ok(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: apiKey.id }, ws.adminKey);
    expect((await t.gql('{ viewer { role } }', {}, key)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const listed = await t.ok('{ apiKeys { id } }', {}, ws.adminKey);
    expect(listed.apiKeys.map((k: { id: string }) => k.id)).not.toContain(apiKey.id);
  });

  it('cannot revoke a key of another workspace (NOT_FOUND, and the key still works)', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const bKeys = await t.ok('{ apiKeys { id role } }', {}, b.adminKey);
    const target = bKeys.apiKeys.find((k: { role: string }) => k.role === 'OPS').id;
    const res = await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: target }, a.adminKey);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.ok('{ viewer { role } }', {}, b.keys[Role.OPS])).viewer.role).toBe('OPS');
  });

  it('validates band thresholds and keeps the old ones on error', async () => {
    const ws = await t.workspace();
    const bad = await t.gql(`mutation { setBandThresholds(thresholds: { redBelow: 80, yellowBelow: 60 }) { redBelow } }`, {}, ws.adminKey);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'thresholds.yellowBelow' });
    const outOfRange = await t.gql(`mutation { setBandThresholds(thresholds: { redBelow: 30, yellowBelow: 120 }) { redBelow } }`, {}, ws.adminKey);
    expect(outOfRange.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'thresholds.yellowBelow' });
    const after = await t.ok('{ viewer { workspace { redBelow yellowBelow } } }', {}, ws.adminKey);
    expect(after.viewer.workspace).toEqual({ redBelow: 40, yellowBelow: 70 });
    const good = await t.ok(`mutation { setBandThresholds(thresholds: { redBelow: 30, yellowBelow: 60 }) { redBelow yellowBelow } }`, {}, ws.adminKey);
    expect(good.setBandThresholds).toEqual({ redBelow: 30, yellowBelow: 60 });
  });
});
