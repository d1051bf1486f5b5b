import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runImport, inferKind } from '../src/imports/import.service';
import { requestRescore } from '../src/jobs/rescore-requests';
import { createDataSource } from '../src/shared/db/data-source';
import { withDatabase } from './support/global-setup';
import { useTestServer, type TestServer } from './support/harness';

jest.mock('../src/jobs/rescore-requests', () => {
  const actual = jest.requireActual('../src/jobs/rescore-requests');
  return { ...actual, requestRescore: jest.fn(actual.requestRescore) };
});
const rescoreCalls = requestRescore as jest.MockedFunction<typeof requestRescore>;

async function makeAccounts(t: TestServer, workspaceId: string, externalIds: string[]): Promise<void> {
  await t.db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
     SELECT $1, x, 'Account ' || x, '2025-01-01', (SELECT id FROM clusters WHERE workspace_id = $1 AND is_default)
       FROM unnest($2::text[]) x`, [workspaceId, externalIds]);
}

function rejectsOf(file: string): { line: number; field: string | null; reason: string }[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('bulk import', () => {
  const t = useTestServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'oh-import-'));

  it('imports signals from NDJSON, rejects bad lines with line numbers, and stores nothing twice on a re-run', async () => {
    const ws = await t.workspace();
    const other = await t.workspace('other');
    await makeAccounts(t, ws.id, ['acme', 'globex']);
    await makeAccounts(t, other.id, ['initech']);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const lines = [
      '{"accountExternalId":"acme","type":"login","occurredAt":"2026-01-05T10:00:00Z"}',                                // 1 ok (derived key)
      '{"accountExternalId":"acme","type":"nps","occurredAt":"2026-01-06T00:00:00Z","value":9,"idempotencyKey":"nps-1"}', // 2 ok
      '',                                                                                                                  // 3 blank: skipped
      '{"account_external_id":"globex","type":"feature_used","occurred_at":"2026-01-07 08:30","subject":"org_chart"}',   // 4 ok (snake_case, no offset = UTC)
      '{"accountExternalId":"initech","type":"login","occurredAt":"2026-01-05T10:00:00Z"}',                             // 5 other workspace's account
      '{"accountExternalId":"acme","type":"Login","occurredAt":"2026-01-05T10:00:00Z"}',                                // 6 bad type
      'not json',                                                                                                          // 7
      `{"accountExternalId":"acme","type":"login","occurredAt":"${future}"}`,                                             // 8 future
      '{"accountExternalId":"acme","type":"login","occurredAt":"2026-02-30T00:00:00Z"}',                                // 9 no such day
      '{"accountExternalId":"acme","type":"nps","occurredAt":"2026-01-05T10:00:00Z","value":"nine"}',                   // 10 not a number
      '{"accountExternalId":"acme","type":"nps","occurredAt":"2026-01-06T00:00:00Z","value":3,"idempotencyKey":"nps-1"}', // 11 duplicate key
      '{"accountExternalId":"acme","type":"login","occurredAt":"2026-01-05T10:00:00Z"}',                                // 12 same content as line 1
      '[1,2]',                                                                                                             // 13 not an object
      '{"type":"login","occurredAt":"2026-01-05T10:00:00Z"}',                                                            // 14 no account
    ];
    const file = path.join(dir, 'signals.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    let lastBytes = 0;
    rescoreCalls.mockClear();
    const first = await runImport({ db: t.db, workspaceId: ws.id, file, onProgress: (b) => { lastBytes = b; } });
    expect(first).toMatchObject({ kind: 'signals', format: 'ndjson', rowsRead: 13, stored: 3, duplicates: 2, rejected: 8, rejectsPath: `${file}.rejected.ndjson` });
    expect(lastBytes).toBe(statSync(file).size);
    expect(rejectsOf(`${file}.rejected.ndjson`).map((r) => [r.line, r.field])).toEqual([
      [5, 'accountExternalId'], [6, 'type'], [7, null], [8, 'occurredAt'], [9, 'occurredAt'], [10, 'value'], [13, null], [14, 'accountExternalId'],
    ]);
    const stored = await t.db.query(
      `SELECT a.external_id, s.type, s.subject, s.value, s.occurred_at, s.idempotency_key LIKE 'import:%' AS derived
         FROM signals s JOIN accounts a ON a.id = s.account_id WHERE s.workspace_id = $1 ORDER BY s.occurred_at`, [ws.id]);
    expect(stored).toEqual([
      { external_id: 'acme', type: 'login', subject: null, value: null, occurred_at: new Date('2026-01-05T10:00:00Z'), derived: true },
      { external_id: 'acme', type: 'nps', subject: null, value: 9, occurred_at: new Date('2026-01-06T00:00:00Z'), derived: false },
      { external_id: 'globex', type: 'feature_used', subject: 'org_chart', value: null, occurred_at: new Date('2026-01-07T08:30:00Z'), derived: true },
    ]);

    const [acmeRow, globexRow] = await t.db.query(`SELECT id FROM accounts WHERE workspace_id = $1 ORDER BY external_id`, [ws.id]);
    expect(rescoreCalls.mock.calls.map((c) => [c[0].workspaceId, [...c[1]].sort()])).toEqual([[ws.id, [acmeRow.id, globexRow.id].sort()]]);

    rescoreCalls.mockClear();
    const again = await runImport({ db: t.db, workspaceId: ws.id, file });
    expect(again).toMatchObject({ rowsRead: 13, stored: 0, duplicates: 5, rejected: 8 });
    expect(rescoreCalls).not.toHaveBeenCalled(); // nothing new
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM signals WHERE workspace_id IN ($1, $2)', [ws.id, other.id]);
    expect(n).toBe(3);
  });

  it('stores the rest of the file when another writer commits one of its keys during the import', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const [acme] = await t.db.query('SELECT id FROM accounts WHERE workspace_id = $1', [ws.id]);
    const file = path.join(dir, 'race.csv');
    writeFileSync(file, 'accountExternalId,type,occurredAt,value,idempotencyKey\n'
      + 'acme,nps,2026-01-05T10:00:00Z,1,k1\nacme,nps,2026-01-06T10:00:00Z,2,k2\nacme,nps,2026-01-07T10:00:00Z,3,k3\n');
    const writer = t.db.createQueryRunner();
    await writer.connect();
    await writer.startTransaction();
    await writer.query(`INSERT INTO signals (workspace_id, account_id, type, value, occurred_at, idempotency_key)
      VALUES ($1, $2, 'nps', 42, '2026-01-06T10:00:00Z', 'k2')`, [ws.id, acme.id]);
    const importing = runImport({ db: t.db, workspaceId: ws.id, file });
    try {
      // the import has not seen k2 and now waits on it: commit, so its insert meets the stored key
      for (let waiting = 0; !waiting;) {
        [{ waiting }] = await t.db.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event = 'transactionid'`); // only the import can be waiting here
        if (!waiting) await new Promise((r) => setTimeout(r, 20));
      }
      await writer.commitTransaction();
    } finally {
      await writer.release();
    }
    expect(await importing).toMatchObject({ rowsRead: 3, stored: 2, duplicates: 1, rejected: 0 });
    const rows = await t.db.query('SELECT idempotency_key, value FROM signals WHERE workspace_id = $1 ORDER BY idempotency_key', [ws.id]);
    expect(rows).toEqual([{ idempotency_key: 'k1', value: 1 }, { idempotency_key: 'k2', value: 42 }, { idempotency_key: 'k3', value: 3 }]);
  });

  it('imports signals from CSV with quoted fields and reports a record with a wrong column count', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const file = path.join(dir, 'signals.csv');
    writeFileSync(file, [
      'accountExternalId,type,occurredAt,subject,value,idempotencyKey',
      'acme,feature_used,2026-01-05T10:00:00Z,"reports, export",,k1',
      'acme,ticket_opened,2026-01-05T11:00:00Z,"line one',
      'line two",2,k2',
      'acme,login,2026-01-05T12:00:00Z',
      'acme,invoice_paid,2026-01-06T00:00:00+01:00,,120.5,',
    ].join('\n'));
    const res = await runImport({ db: t.db, workspaceId: ws.id, file });
    expect(res).toMatchObject({ format: 'csv', rowsRead: 4, stored: 3, rejected: 1, duplicates: 0 });
    expect(rejectsOf(`${file}.rejected.ndjson`)).toEqual([{ line: 5, field: null, reason: expect.stringMatching(/number of columns/) }]);
    const rows = await t.db.query('SELECT subject, value, occurred_at FROM signals WHERE workspace_id = $1 ORDER BY occurred_at', [ws.id]);
    expect(rows).toEqual([
      { subject: 'reports, export', value: null, occurred_at: new Date('2026-01-05T10:00:00Z') },
      { subject: 'line one\nline two', value: 2, occurred_at: new Date('2026-01-05T11:00:00Z') },
      { subject: null, value: 120.5, occurred_at: new Date('2026-01-05T23:00:00Z') },
    ]);
  });

  it('stores a signals file in committed chunks by two movers: the first line with a key wins, a re-run stores nothing twice', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme', 'globex']);
    const lines = ['accountExternalId,type,occurredAt,value,idempotencyKey'];
    for (let i = 0; i < 40; i++) lines.push(`${i % 2 ? 'acme' : 'globex'},nps,2026-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z,${i},k${i}`);
    lines.push('acme,nps,2026-02-01T10:00:00Z,100,k3'); // line 42: key of line 5 again, in a later chunk
    lines.push('acme,login,2026-02-02T10:00:00Z,,'); // line 43: derived key
    lines.push('acme,login,2026-02-02T10:00:00Z,,'); // line 44: same content, the same derived key
    lines.push('nobody,login,2026-02-02T10:00:00Z,,'); // line 45: unknown account
    const file = path.join(dir, 'chunked.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    // what a killed import leaves behind (its reader's backend is gone) is dropped by the next one
    await t.db.query('CREATE UNLOGGED TABLE import_stage_p2147483647_dead (line bigint)');
    rescoreCalls.mockClear();
    const first = await runImport({ db: t.db, workspaceId: ws.id, file, chunkRows: 6, movers: 2 });
    expect(first).toMatchObject({ rowsRead: 44, stored: 41, duplicates: 2, rejected: 1, chunks: 8 });
    expect(rejectsOf(`${file}.rejected.ndjson`)).toEqual([{ line: 45, field: 'accountExternalId', reason: expect.any(String) }]);
    const [{ value }] = await t.db.query(`SELECT value FROM signals WHERE workspace_id = $1 AND idempotency_key = 'k3'`, [ws.id]);
    expect(value).toBe(3);
    // every chunk's transaction requests a rescore of the accounts it stored signals for
    const accounts = await t.db.query('SELECT id FROM accounts WHERE workspace_id = $1', [ws.id]);
    expect(new Set(rescoreCalls.mock.calls.flatMap((c) => c[1]))).toEqual(new Set(accounts.map((a: { id: string }) => a.id)));
    expect(await t.db.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'import_stage_%'`)).toEqual([{ n: 0 }]);

    rescoreCalls.mockClear();
    const again = await runImport({ db: t.db, workspaceId: ws.id, file, chunkRows: 5, movers: 2 });
    expect(again).toMatchObject({ rowsRead: 44, stored: 0, duplicates: 43, rejected: 1 });
    expect(rescoreCalls).not.toHaveBeenCalled();
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM signals WHERE workspace_id = $1', [ws.id]);
    expect(n).toBe(41);
  });

  it('moves with one connection when the pool has room for only one besides the reader', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const file = path.join(dir, 'small-pool.csv');
    writeFileSync(file, `accountExternalId,type,occurredAt,idempotencyKey\n${
      Array.from({ length: 9 }, (_, i) => `acme,login,2026-01-0${i + 1}T10:00:00Z,p${i}`).join('\n')}\n`);
    const db = createDataSource(withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), 2);
    await db.initialize();
    try {
      // two movers asked for, but a pool of 2 would leave the second waiting for a connection forever
      expect(await runImport({ db, workspaceId: ws.id, file, chunkRows: 4, movers: 2 })).toMatchObject({ stored: 9, chunks: 3 });
    } finally {
      await db.destroy();
    }
  });

  it('turns malformed CSV records into rejects and stores the rest of the file', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const file = path.join(dir, 'malformed.csv');
    writeFileSync(file, [
      'accountExternalId,type,occurredAt,value,idempotencyKey',
      'acme,login,2026-01-05T10:00:00Z,,m1',
      'acme,log"in,2026-01-05T11:00:00Z,,m2', // a quote inside an unquoted field
      '"acme"x,login,2026-01-05T12:00:00Z,,m3', // text after a closing quote
      'acme,login,2026-01-05T13:00:00Z,,m4',
      'acme,"login,2026-01-05T14:00:00Z,,m5', // a quote never closed: to the end of the file
      'acme,login,2026-01-05T15:00:00Z,,m6',
    ].join('\n'));
    const res = await runImport({ db: t.db, workspaceId: ws.id, file });
    expect(res).toMatchObject({ rowsRead: 5, stored: 2, rejected: 3 });
    expect(rejectsOf(`${file}.rejected.ndjson`).map((r) => [r.line, r.reason])).toEqual([
      [3, expect.stringMatching(/malformed/)], [4, expect.stringMatching(/malformed/)], [7, expect.stringMatching(/malformed/)],
    ]);
    const keys = await t.db.query('SELECT idempotency_key FROM signals WHERE workspace_id = $1 ORDER BY 1', [ws.id]);
    expect(keys).toEqual([{ idempotency_key: 'm1' }, { idempotency_key: 'm4' }]);
  });

  it('upserts accounts from CSV (attribute columns, cluster by rule); a re-run changes nothing', async () => {
    const ws = await t.workspace();
    await t.db.query(`INSERT INTO clusters (workspace_id, name, priority, rule, is_default)
      VALUES ($1, 'Enterprise', 1, '{"attribute":"plan","op":"EQ","value":"enterprise"}', false)`, [ws.id]);
    const file = path.join(dir, 'accounts.csv');
    writeFileSync(file, [
      'externalId,name,attributes.plan,attributes.seats,csmOwner,journeyStartedAt,renewalDate',
      'acme,"Acme, Inc.",enterprise,250,ann@x.io,2025-03-01T00:00:00Z,2026-12-31',
      'globex,Globex,pro,20,,2025-04-01,',
      'nameless,,pro,5,,,',
      'bad,Bad,pro,5,,,2026-02-30',
      'globex,Globex Corp,pro,25,,,',
    ].join('\n'));
    const res = await runImport({ db: t.db, workspaceId: ws.id, file });
    expect(inferKind(['externalId', 'name'])).toBe('accounts');
    expect(res).toMatchObject({ kind: 'accounts', rowsRead: 5, created: 2, updated: 0, stored: 2, rejected: 2, duplicates: 1 });
    expect(rejectsOf(`${file}.rejected.ndjson`).map((r) => [r.line, r.field])).toEqual([[4, 'name'], [5, 'renewalDate']]);
    const accounts = await t.db.query(
      `SELECT a.external_id, a.name, a.attributes, a.csm_owner, a.journey_started_at, a.renewal_date::text, c.name AS cluster
         FROM accounts a JOIN clusters c ON c.id = a.cluster_id WHERE a.workspace_id = $1 ORDER BY a.external_id`, [ws.id]);
    expect(accounts).toEqual([
      { external_id: 'acme', name: 'Acme, Inc.', attributes: { plan: 'enterprise', seats: 250 }, csm_owner: 'ann@x.io',
        journey_started_at: new Date('2025-03-01T00:00:00Z'), renewal_date: '2026-12-31', cluster: 'Enterprise' },
      // the last line of globex wins as a whole (lines are not merged): no journey start given -> now
      { external_id: 'globex', name: 'Globex Corp', attributes: { plan: 'pro', seats: 25 }, csm_owner: null,
        journey_started_at: expect.any(Date), renewal_date: null, cluster: 'Everyone else' },
    ]);
    expect(Math.abs(accounts[1].journey_started_at.getTime() - Date.now())).toBeLessThan(60_000);
    const again = await runImport({ db: t.db, workspaceId: ws.id, file });
    expect(again).toMatchObject({ created: 0, updated: 0, stored: 0, duplicates: 3, rejected: 2 });

    // An update moves the account to another cluster; omitted columns keep their values.
    writeFileSync(file, 'externalId,attributes.plan\nglobex,enterprise\n');
    expect(await runImport({ db: t.db, workspaceId: ws.id, file, kind: 'accounts' })).toMatchObject({ created: 0, updated: 1, rejected: 0 });
    expect(existsSync(`${file}.rejected.ndjson`)).toBe(false); // the stale rejects file of the earlier run is gone
    const [globex] = await t.db.query(`SELECT a.name, a.attributes, c.name AS cluster FROM accounts a JOIN clusters c ON c.id = a.cluster_id
      WHERE a.workspace_id = $1 AND a.external_id = 'globex'`, [ws.id]);
    expect(globex).toEqual({ name: 'Globex Corp', attributes: { plan: 'enterprise' }, cluster: 'Enterprise' });
  });

  it('upserts accounts from NDJSON with lifecycle outcomes (null clears, omitted keeps)', async () => {
    const ws = await t.workspace();
    const file = path.join(dir, 'accounts.ndjson');
    writeFileSync(file, [
      JSON.stringify({ externalId: 'a1', name: 'A1', attributes: { plan: 'pro' }, csm_owner: 'bo@x.io', lifecycleOutcomes: [{ kind: 'RENEWED', date: '2025-06-01' }] }),
      JSON.stringify({ externalId: 'a2', name: 'A2', lifecycleOutcomes: [{ kind: 'EXPLODED', date: '2025-06-01' }] }),
    ].join('\n'));
    expect(await runImport({ db: t.db, workspaceId: ws.id, file })).toMatchObject({ kind: 'accounts', created: 1, rejected: 1 });
    expect(rejectsOf(`${file}.rejected.ndjson`)).toEqual([{ line: 2, field: 'lifecycleOutcomes[0].kind', reason: expect.any(String) }]);
    const lifecycle = () => t.db.query(`SELECT l.kind, l.occurred_on::text FROM lifecycle_outcomes l WHERE l.workspace_id = $1`, [ws.id]);
    expect(await lifecycle()).toEqual([{ kind: 'RENEWED', occurred_on: '2025-06-01' }]);

    writeFileSync(file, JSON.stringify({ externalId: 'a1', csmOwner: null }));
    expect(await runImport({ db: t.db, workspaceId: ws.id, file })).toMatchObject({ updated: 1 });
    const [a1] = await t.db.query(`SELECT name, attributes, csm_owner FROM accounts WHERE workspace_id = $1`, [ws.id]);
    expect(a1).toEqual({ name: 'A1', attributes: { plan: 'pro' }, csm_owner: null });
    expect(await lifecycle()).toHaveLength(1); // omitted: kept
  });

  it('refuses files it cannot read as accounts or signals, and unknown workspaces', async () => {
    const ws = await t.workspace();
    const file = path.join(dir, 'odd.csv');
    writeFileSync(file, 'foo,bar\n1,2\n');
    await expect(runImport({ db: t.db, workspaceId: ws.id, file })).rejects.toThrow(/Cannot tell whether/);
    writeFileSync(file, 'accountExternalId,type,occurredAt,colour\nacme,login,2026-01-01,red\n');
    await expect(runImport({ db: t.db, workspaceId: ws.id, file })).rejects.toThrow(/Unknown field\(s\) for signals: colour/);
    writeFileSync(file, 'accountExternalId,type,occurredAt\n');
    await expect(runImport({ db: t.db, workspaceId: '00000000-0000-0000-0000-000000000000', file })).rejects.toThrow(/was not found/);
  });

  it('runs as a CLI with a summary', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const file = path.join(dir, 'cli.ndjson');
    writeFileSync(file, '{"accountExternalId":"acme","type":"login","occurredAt":"2026-01-05T10:00:00Z"}\n{"accountExternalId":"zzz","type":"login","occurredAt":"2026-01-05T10:00:00Z"}\n');
    const url = (t.db.options as { url: string }).url;
    const { stdout, stderr } = await promisify(execFile)(process.execPath,
      ['-r', '@swc-node/register', 'src/scripts/import.ts', '--workspace', ws.id, file],
      { cwd: path.join(__dirname, '..'), env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    expect(stdout).toMatch(/rows read: +2\n +stored: +1\n +duplicates: +0\n +rejected: +1/);
    expect(stderr).toMatch(/importing: .*\(100%\)/); // not a TTY: plain progress lines
  }, 60_000);
});
