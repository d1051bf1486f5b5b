/**
 * The README's read queries work as written: every ```graphql block that is a query (not a
 * mutation or subscription, and without a placeholder) runs against the demo workspace without
 * errors. Variables the README uses are filled from the demo: $o an outcome, $c a cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { getSchema } from '../src/schema';
import { seedDemo } from '../seeds/demo';
import { useTestServer } from './support/harness';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const blocks = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1].trim());
const queries = blocks.filter((b) => !/^\s*(mutation|subscription)/m.test(b.replace(/^#.*$/gm, '').trim()) && !/OUTCOME_ID|…/.test(b));

describe('README queries', () => {
  const t = useTestServer();
  let key: string;
  let vars: Record<string, string>;

  beforeAll(async () => {
    const demo = await seedDemo(t.db);
    key = demo.adminKey;
    const { clusters } = await t.ok('{ clusters { id isDefault outcomes { id } } }', {}, key);
    const managed = clusters.find((c: any) => !c.isDefault);
    vars = { c: managed.id, o: managed.outcomes[0].id };
  }, 60_000);

  it('every graphql block (mutations and subscriptions too) is valid against the schema', async () => {
    const schema = await getSchema();
    const invalid = blocks
      .map((b) => ({ b: b.split('\n')[0], errors: validate(schema, parse(b)).map((e) => e.message) }))
      .filter((x) => x.errors.length);
    expect(invalid).toEqual([]);
  });

  it('has read queries to check', () => {
    expect(queries.length).toBeGreaterThanOrEqual(8);
  });

  it.each(queries.map((q) => [q.split('\n')[0].slice(0, 70), q]))('%s', async (_label, query) => {
    const used = Object.fromEntries(Object.entries(vars).filter(([k]) => new RegExp(`\\$${k}\\b`).test(query)));
    const res = await t.gql(query, used, key);
    expect(res.errors ?? []).toEqual([]);
    expect(res.data).toBeTruthy();
  });
});
