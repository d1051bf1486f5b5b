/**
 * The schema as a normalized client cache sees it: Apollo Client (InMemoryCache, default type policies, no
 * custom merge functions) over a real HTTP link to the test server.
 * - The README walkthrough, operation by operation: every answer can be read back from the cache in full.
 * - A list query after a detail query keeps the detail (outcome health, journey, drivers are normalized by id).
 * - Apollo prints no warning (cache data loss, missing fields) during all of it; a control shows that it would.
 */
import './support/apollo-dev'; // first: development mode, so that the cache warns
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev';
import { ApolloClient, HttpLink, InMemoryCache, gql, type OperationVariables } from '@apollo/client';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { drainRescoreRequests } from '../src/scoring/rescore';
import { previewChunkScorers } from '../src/model/model.preview';
import { processRun } from '../src/scoring/runs.service';
import { useTestServer } from './support/harness';
import { pick, readReadme } from './support/readme';

loadDevMessages();
loadErrorMessages();
const walkthrough = readReadme().blocks.filter((b) => b.mode === 'walkthrough');

describe('Apollo Client with a normalized cache', () => {
  const t = useTestServer();
  let client: ApolloClient;
  let workspaceId: string;
  const warnings: unknown[][] = [];
  const kept: Record<string, unknown> = {};

  const newClient = (key: string) => new ApolloClient({
    link: new HttpLink({ uri: t.app.url, headers: { authorization: `Bearer ${key}` } }),
    cache: new InMemoryCache(),
  });

  beforeAll(async () => {
    const ws = await t.workspace('Apollo');
    workspaceId = ws.id;
    client = newClient(ws.adminKey);
    for (const level of ['warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => { warnings.push([level, ...args]); });
    }
  });
  afterAll(() => jest.restoreAllMocks());

  /** The background worker's work, done now (see test/readme.test.ts). */
  async function work(): Promise<void> {
    await drainRescoreRequests(t.db, workspaceId);
    const queued: Array<{ id: string }> = await t.db.query(`SELECT id FROM scoring_runs WHERE workspace_id = $1 AND state = 'QUEUED'`, [workspaceId]);
    for (const run of queued) await processRun(t.db, workspaceId, run.id, { chunkScorers: previewChunkScorers });
  }

  it.each(walkthrough.map((b) => [`line ${b.line}: ${b.source.split('\n')[0].slice(0, 60)}`, b]))('README %s', async (_label, block) => {
    const document = gql(block.source);
    for (const op of document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
      const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [op] };
      const variables = Object.fromEntries(Object.entries(kept).filter(([k]) => op.variableDefinitions?.some((v) => v.variable.name.value === k))) as OperationVariables;
      let data: unknown;
      if (op.operation === 'mutation') {
        data = (await client.mutate({ mutation: single, variables })).data;
      } else {
        data = (await client.query({ query: single, variables, fetchPolicy: 'network-only' })).data;
        // The cache answers the query in full from what it normalized.
        expect(client.readQuery({ query: single, variables })).toEqual(data);
      }
      for (const [name, from] of Object.entries(block.keep)) {
        const value = pick(data, from);
        if (value !== undefined) kept[name] = value;
      }
      await work();
    }
  });

  it('keeps an account\'s detail when a list query reads the same account\'s outcomes with fewer fields', async () => {
    const DETAIL = gql`query Detail($id: ID!) {
      account(id: $id) { id name
        health { id score band coverage asOf }
        outcomes { id score band coverage asOf outcome { id name }
          journey { id status daysUntilDue milestones { id achievedAt expectedByDay } overdueMilestones { id daysOverdue } }
          drivers { id key score pointsLost } } } }`;
    const LIST = gql`query List {
      accounts(first: 10) { edges { node { id name health { id score band } outcomes { id score band journey { id status } drivers(top: 1) { id key } } } } } }`;
    const variables = { id: kept.accountId as string };
    const detail = (await client.query({ query: DETAIL, variables, fetchPolicy: 'network-only' })).data as any;
    expect(detail.account.outcomes.length).toBeGreaterThan(0);
    expect(detail.account.outcomes[0].drivers.length).toBeGreaterThan(3);
    await client.query({ query: LIST, fetchPolicy: 'network-only' });
    // Before ids, the list's outcomes replaced the detail's (no drivers, no milestones) and this read back null.
    expect(client.readQuery({ query: DETAIL, variables })).toEqual(detail);
    // And a cache-first read is answered from the cache, not the network.
    const again = await client.query({ query: DETAIL, variables, fetchPolicy: 'cache-only' });
    expect(again.data).toEqual(detail);
  });

  it('printed no cache warning (and would have: a control on a type without id)', async () => {
    expect(warnings).toEqual([]);
    // Control: the same field of an answer without id (Movers), written twice with different fields, does warn.
    const control = new InMemoryCache();
    const before = warnings.length;
    control.writeQuery({ query: gql`query D { movers(days: 30) { days drops { delta } } }`, data: { movers: { __typename: 'Movers', days: 30, drops: [] } } });
    control.writeQuery({ query: gql`query E { movers(days: 30) { rises { delta } } }`, data: { movers: { __typename: 'Movers', rises: [] } } });
    expect(warnings.length).toBeGreaterThan(before);
  });
});
