/**
 * The README runs as written (directives: test/support/readme.ts, README "How this README is tested"):
 * - every ```graphql block is valid against the schema, and a block with several operations names each;
 * - the walkthrough: the command the walkthrough shows first creates a fresh workspace (run here as a
 *   child process, exactly as written, against this file's database), then every walkthrough block runs
 *   in README order with that workspace's key, each operation's `$variables` taken from what earlier
 *   blocks kept; after each operation the background worker's work is done (rescore requests drained,
 *   queued runs processed), as a running server's worker would do it, but without waiting on a timer;
 * - the demo blocks run against the demo workspace.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, validate } from 'graphql';
import { getSchema } from '../src/schema';
import { drainRescoreRequests } from '../src/scoring/rescore';
import { previewChunkScorers } from '../src/model/model.preview';
import { processRun } from '../src/scoring/runs.service';
import { seedDemo } from '../seeds/demo';
import { useTestServer } from './support/harness';
import { withDatabase } from './support/global-setup';
import { pick, readReadme, type ReadmeBlock } from './support/readme';

const { blocks, walkthroughStart } = readReadme();
const label = (b: ReadmeBlock) => `line ${b.line}: ${b.source.split('\n')[0].slice(0, 60)}`;
const walkthrough = blocks.filter((b) => b.mode === 'walkthrough');
const demo = blocks.filter((b) => b.mode === 'demo');

describe('README', () => {
  const t = useTestServer();

  it('every graphql block is valid against the schema, and blocks with several operations name each one', async () => {
    const schema = await getSchema();
    const invalid = blocks
      .map((b) => ({ block: label(b), errors: validate(schema, parse(b.source)).map((e) => e.message) }))
      .filter((x) => x.errors.length);
    expect(invalid).toEqual([]);
    const unnamed = blocks.filter((b) => b.operations.length > 1 && b.operations.some((op) => !op.name)).map(label);
    expect(unnamed).toEqual([]);
  });

  it('has a walkthrough that starts with a fresh workspace, and demo queries', () => {
    expect(walkthroughStart?.command).toMatch(/^npm run workspace:create -- --name "[^"]+"$/);
    expect(walkthrough.length).toBeGreaterThanOrEqual(15);
    expect(walkthrough[0].operations[0].kind).toBe('mutation');
    expect(demo.length).toBeGreaterThanOrEqual(3);
    // Every required walkthrough variable is kept by an earlier block (or an earlier operation of the same block).
    const kept = new Set<string>();
    const missing: string[] = [];
    for (const b of walkthrough) {
      const keptHere = new Set(Object.keys(b.keep));
      b.operations.forEach((op, i) => {
        for (const v of op.required) if (!kept.has(v) && !(i > 0 && keptHere.has(v))) missing.push(`${label(b)}: $${v}`);
      });
      for (const k of keptHere) kept.add(k);
    }
    expect(missing).toEqual([]);
  });

  describe('the walkthrough, pasted in order into a fresh workspace', () => {
    let key: string;
    let workspaceId: string;
    const kept: Record<string, unknown> = {};

    /** What the background worker of a running server does after a change, done now. */
    async function work(): Promise<void> {
      await drainRescoreRequests(t.db, workspaceId);
      const queued: Array<{ id: string }> = await t.db.query(
        `SELECT id FROM scoring_runs WHERE workspace_id = $1 AND state = 'QUEUED' ORDER BY created_at`, [workspaceId]);
      for (const run of queued) await processRun(t.db, workspaceId, run.id, { chunkScorers: previewChunkScorers });
    }

    beforeAll(async () => {
      // The command as the README shows it, in a shell, against this file's database.
      const { stdout } = await promisify(execFile)('bash', ['-c', walkthroughStart!.command], {
        cwd: path.join(__dirname, '..'),
        env: { ...process.env, DATABASE_URL: withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), LOG_LEVEL: 'warn' },
      });
      key = /ADMIN key:\s*(\S+)/.exec(stdout)![1];
      workspaceId = /id:\s*(\S+)/.exec(stdout)![1];
    }, 60_000);

    it.each(walkthrough.map((b) => [label(b), b]))('%s', async (_label, block) => {
      for (const op of block.operations) {
        const variables = Object.fromEntries(op.variables.filter((v) => v in kept).map((v) => [v, kept[v]]));
        const res = await t.gql(block.source, variables, key, op.name);
        expect([op.name, res.errors ?? []]).toEqual([op.name, []]);
        expect(res.data).toBeTruthy();
        for (const [name, from] of Object.entries(block.keep)) {
          const value = pick(res.data, from);
          if (value !== undefined) kept[name] = value;
        }
        await work();
      }
      for (const name of Object.keys(block.keep)) expect([name, kept[name]]).toEqual([name, expect.anything()]);
    });

    it('ends with the account scored from the walkthrough\'s signals and CSM actions', async () => {
      const { accountByExternalId: acme } = await t.ok(`{ accountByExternalId(externalId: "acme") {
          health { score band } outcomes { score journey { milestones { milestone { key } achievedAt } } } } }`, {}, key);
      expect(acme.health.score).toEqual(expect.any(Number));
      const achieved = acme.outcomes[0].journey.milestones.filter((m: { achievedAt: string | null }) => m.achievedAt).map((m: { milestone: { key: string } }) => m.milestone.key);
      expect(achieved).toEqual(expect.arrayContaining(['kickoff_call', 'first_login']));
    });
  });

  describe('the demo queries', () => {
    let key: string;
    let vars: Record<string, string>;

    beforeAll(async () => {
      const seeded = await seedDemo(t.db);
      key = seeded.adminKey;
      const { clusters } = await t.ok('{ clusters { id isDefault outcomes { id } } }', {}, key);
      const managed = clusters.find((c: { isDefault: boolean }) => !c.isDefault);
      // `$c` / `$o`: the short names some sections use for the same two.
      vars = { clusterId: managed.id, outcomeId: managed.outcomes[0].id, c: managed.id, o: managed.outcomes[0].id };
    }, 120_000);

    it.each(demo.map((b) => [label(b), b]))('%s', async (_label, block) => {
      for (const op of block.operations) {
        const variables = Object.fromEntries(op.variables.filter((v) => v in vars).map((v) => [v, vars[v]]));
        const res = await t.gql(block.source, variables, key, op.name);
        expect(res.errors ?? []).toEqual([]);
        expect(res.data).toBeTruthy();
      }
    });
  });
});
