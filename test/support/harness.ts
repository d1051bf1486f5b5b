/**
 * A real server over HTTP on a real PostgreSQL database of this test file's own.
 * Usage: `const t = useTestServer();` at the top of a describe; `t.gql(...)` inside tests.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { startApp, type RunningApp } from '../../src/app';
import { AuthThrottle } from '../../src/shared/auth-throttle';
import { createDataSource } from '../../src/shared/db/data-source';
import { Role } from '../../src/shared/auth';
import { createWorkspace } from '../../src/workspaces/workspace.service';
import { withDatabase } from './global-setup';

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
}

export interface TestWorkspace {
  id: string;
  adminKey: string;
  keys: Record<Role, string>;
}

export class TestServer {
  app!: RunningApp;
  db!: DataSource;
  dbName!: string;
  /** Statements sent to PostgreSQL since the last reset (for N+1 checks). */
  statements: string[] = [];
  /** Run by `cleanup`, last registered first. */
  readonly cleanups: Array<() => Promise<unknown> | unknown> = [];

  /**
   * Stop something this test file started (another instance, a job worker) before the server stops and the database
   * is dropped. A file's own afterAll runs after the harness's (jest-circus runs them in declaration order), when the
   * database is gone: its listeners would be reconnecting by then, after Jest tore the environment down.
   */
  cleanup(fn: () => Promise<unknown> | unknown): void {
    this.cleanups.unshift(fn);
  }

  async gql<T = any>(query: string, variables: Record<string, unknown> = {}, key?: string, operationName?: string): Promise<GqlResult<T>> {
    const res = await fetch(this.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
    });
    return (await res.json()) as GqlResult<T>;
  }

  /** Like gql, but fails the test on any error and returns data. */
  async ok<T = any>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
    const res = await this.gql<T>(query, variables, key);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors, null, 2)}`);
    return res.data as T;
  }

  /** A fresh workspace with one key per role. */
  async workspace(name = 'Test workspace'): Promise<TestWorkspace> {
    const { workspace, adminKey } = await createWorkspace(this.db, name);
    const keys = { [Role.ADMIN]: adminKey } as Record<Role, string>;
    for (const role of [Role.OPS, Role.CSM, Role.INGEST, Role.ANALYST]) {
      const data = await this.ok<{ createApiKey: { key: string } }>(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
        { input: { name: `${role} key`, role } }, adminKey,
      );
      keys[role] = data.createApiKey.key;
    }
    return { id: workspace.id, adminKey, keys };
  }
}

export function useTestServer(): TestServer {
  const t = new TestServer();
  beforeAll(async () => {
    const adminUrl = process.env.TEST_ADMIN_URL!;
    t.dbName = `oh_test_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${t.dbName} TEMPLATE ${process.env.TEST_TEMPLATE_DB}`);
    await admin.end();
    t.db = createDataSource(withDatabase(adminUrl, t.dbName), 10);
    await t.db.initialize();
    // Every test sends from 127.0.0.1, many with revoked or unknown keys on purpose: throttling has its own test.
    t.app = await startApp({ db: t.db, port: 0, host: '127.0.0.1', introspection: true, authThrottle: new AuthThrottle({ maxFailures: 1_000_000, windowMs: 60_000 }) });
  });
  afterAll(async () => {
    for (const fn of t.cleanups) await fn();
    await t.app?.stop();
    await t.db?.destroy();
    const admin = new Client({ connectionString: process.env.TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${t.dbName} WITH (FORCE)`);
    await admin.end();
  });
  return t;
}
