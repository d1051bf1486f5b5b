/**
 * The path to scaling out stays open (docs/architecture.md "Scaling out"): on the migrated schema, every table
 * can be distributed by workspace_id on Citus and co-located with the others. That needs, read from pg_catalog:
 * - a workspace_id column, leading the primary key;
 * - foreign keys that lead with workspace_id on both sides (or point at workspaces(id), a reference table);
 * - unique indexes that include workspace_id (Citus can only enforce uniqueness within a shard).
 * Exceptions are listed below with their reason; a listed exception that no longer exists fails too, so the list
 * stays true. pg-boss's schema (`pgboss`, created at start, not by the migrations) is not in the template.
 */
import { Client } from 'pg';
import { withDatabase } from './support/global-setup';

/** Tables that are not distributed by workspace_id, and why. */
const NOT_DISTRIBUTED: Record<string, string> = {
  typeorm_migrations: 'migration bookkeeping: a local table of the coordinator',
  workspaces: 'the tenants themselves (id is the workspace id): a reference table, copied to every node',
};
/** Unique indexes without workspace_id, and why. */
const GLOBAL_UNIQUE: Record<string, string> = {
  api_keys_key_hash_key: 'a request names its key, not its workspace: api_keys is a reference table (small, read on every cold request)',
};

interface Constraint { table: string; type: 'p' | 'f'; cols: string[]; refTable: string | null; refCols: string[] | null }

describe('every table can be distributed by workspace_id', () => {
  let db: Client;
  let tables: string[];
  let constraints: Constraint[];
  let uniques: Array<{ name: string; table: string; cols: string[] }>;
  let workspaceColumns: Set<string>;

  beforeAll(async () => {
    db = new Client({ connectionString: withDatabase(process.env.TEST_ADMIN_URL!, process.env.TEST_TEMPLATE_DB!) });
    await db.connect();
    tables = (await db.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`)).rows.map((r) => r.relname);
    const cols = `(SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest(%s) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.n)`;
    constraints = (await db.query(`SELECT r.relname AS table, c.contype AS type,
        ${cols.replace('%s', 'c.conkey').replace('%s', 'c.conrelid')} AS cols,
        f.relname AS "refTable", ${cols.replace('%s', 'c.confkey').replace('%s', 'c.confrelid')} AS "refCols"
      FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      LEFT JOIN pg_class f ON f.oid = c.confrelid
      WHERE n.nspname = 'public' AND c.contype IN ('p', 'f')`)).rows;
    uniques = (await db.query(`SELECT x.relname AS name, r.relname AS table, ${cols.replace('%s', 'i.indkey::int2[]').replace('%s', 'i.indrelid')} AS cols
      FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = 'public' AND i.indisunique AND NOT i.indisprimary`)).rows;
    workspaceColumns = new Set((await db.query(`SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'workspace_id'`)).rows.map((r) => r.table_name));
  });
  afterAll(async () => { await db?.end(); });

  it('finds the schema (and every listed exception still exists)', () => {
    expect(tables.length).toBeGreaterThan(20);
    for (const t of Object.keys(NOT_DISTRIBUTED)) expect(tables).toContain(t);
    for (const u of Object.keys(GLOBAL_UNIQUE)) expect(uniques.map((x) => x.name)).toContain(u);
  });

  it('every other table has workspace_id leading its primary key', () => {
    const wrong = tables.filter((t) => !(t in NOT_DISTRIBUTED)).flatMap((t) => {
      const pk = constraints.find((c) => c.table === t && c.type === 'p');
      if (!workspaceColumns.has(t)) return [`${t}: no workspace_id column`];
      if (!pk) return [`${t}: no primary key`];
      return pk.cols[0] === 'workspace_id' ? [] : [`${t}: primary key (${pk.cols.join(', ')})`];
    });
    expect(wrong).toEqual([]);
  });

  it('every foreign key leads with workspace_id on both sides, or points at workspaces(id)', () => {
    const fks = constraints.filter((c) => c.type === 'f');
    expect(fks.length).toBeGreaterThan(20);
    const wrong = fks.filter((c) => !(c.cols[0] === 'workspace_id'
      && (c.refCols![0] === 'workspace_id' || (c.refTable === 'workspaces' && c.refCols!.join() === 'id'))))
      .map((c) => `${c.table} (${c.cols.join(', ')}) -> ${c.refTable} (${c.refCols!.join(', ')})`);
    expect(wrong).toEqual([]);
  });

  it('every unique index includes workspace_id', () => {
    const wrong = uniques.filter((u) => !(u.name in GLOBAL_UNIQUE) && !(u.table in NOT_DISTRIBUTED) && !u.cols.includes('workspace_id'))
      .map((u) => `${u.name} on ${u.table} (${u.cols.join(', ')})`);
    expect(wrong).toEqual([]);
  });
});
