/**
 * Table-driven access control, over HTTP:
 * 1. every role against every mutation: roles not allowed get FORBIDDEN and the database is unchanged;
 *    allowed roles are not refused;
 * 2. every field that takes an id (as an argument or inside an input), called by workspace A with
 *    workspace B's ids: NOT_FOUND (or, for read filters, nothing of B's), and nothing changed.
 * Both tables are checked against the live schema, so a new mutation or id argument fails here
 * until it is added with its expected behaviour.
 */
import { getNamedType, GraphQLInputObjectType, GraphQLSchema, isInputObjectType } from 'graphql';
import { Role } from '../src/shared/auth';
import { getSchema } from '../src/schema';
import { DEFINE_COIN, DEFINE_JOURNEY, FOUR_STAGE_JOURNEY, WORKED_EXAMPLE_COIN } from './support/fixtures';
import { TestServer, TestWorkspace, useTestServer } from './support/harness';

const ALL_ROLES = [Role.ADMIN, Role.OPS, Role.CSM, Role.INGEST, Role.ANALYST];
const CONFIGURE = [Role.ADMIN, Role.OPS];
const INGEST = [Role.ADMIN, Role.INGEST];
const CSM = [Role.ADMIN, Role.CSM];
const ADMIN = [Role.ADMIN];
// Backtests change no score: analysts run them too (docs/backtests.md).
const BACKTEST = [Role.ADMIN, Role.OPS, Role.ANALYST];
const PREVIEW = [Role.ADMIN, Role.OPS, Role.ANALYST]; // a preview changes nothing live

/** The ids of one workspace's small model. */
interface Model {
  ws: TestWorkspace;
  clusterId: string;
  defaultClusterId: string;
  outcomeId: string;
  accountId: string;
  manualMilestoneId: string;
  stageId: string;
  apiKeyId: string;
  runId: string;
  discoveryId: string;
  backtestId: string;
  playId: string;
  taskId: string;
  endpointId: string;
  deliveryId: string;
  draftId: string;
  previewId: string;
}

/** A play input with the given extra fields (ids of the model under test). */
const PLAY = 'mutation($input: PlayInput!) { createPlay(input: $input) { id } }';
const playInput = (extra: Record<string, unknown> = {}) => ({ name: `P ${Math.random()}`, trigger: { kind: 'BAND_ENTERED', band: 'RED' }, task: { titleTemplate: 'Call {account.name}' }, ...extra });
const UPDATE_PLAY = 'mutation($id: ID!, $input: PlayInput!) { updatePlay(id: $id, input: $input) { id } }';
const DRY_RUN = 'query($id: ID, $input: PlayInput) { dryRunPlay(id: $id, input: $input) { count } }';

type Call = (m: Model) => { query: string; variables?: Record<string, unknown> };

/** Expected roles and a well-formed call for every mutation. */
const MUTATIONS: Record<string, { roles: Role[]; call: Call }> = {
  createApiKey: { roles: ADMIN, call: () => ({ query: 'mutation { createApiKey(input: { name: "x", role: ANALYST }) { key } }' }) },
  revokeApiKey: { roles: ADMIN, call: (m) => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', variables: { id: m.apiKeyId } }) },
  setBandThresholds: { roles: ADMIN, call: () => ({ query: 'mutation { setBandThresholds(thresholds: { redBelow: 35, yellowBelow: 65 }) { redBelow } }' }) },
  createCluster: { roles: CONFIGURE, call: () => ({ query: 'mutation { createCluster(input: { name: "New", priority: 5, rule: { attribute: "plan", op: EQ, value: "pro" } }) { id } }' }) },
  updateCluster: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { updateCluster(id: $id, input: { priority: 7 }) { id } }', variables: { id: m.clusterId } }) },
  deleteCluster: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { deleteCluster(id: $id, deleteOutcomes: true) }', variables: { id: m.clusterId } }) },
  createOutcome: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($c: ID!) { createOutcome(input: { clusterId: $c, name: "Another" }) { id } }', variables: { c: m.clusterId } }) },
  updateOutcome: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { updateOutcome(id: $id, input: { weight: 2 }) { id } }', variables: { id: m.outcomeId } }) },
  deleteOutcome: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { deleteOutcome(id: $id) }', variables: { id: m.outcomeId } }) },
  defineJourney: { roles: CONFIGURE, call: (m) => ({ query: DEFINE_JOURNEY, variables: { outcomeId: m.outcomeId, input: FOUR_STAGE_JOURNEY } }) },
  defineCoin: { roles: CONFIGURE, call: (m) => ({ query: DEFINE_COIN, variables: { outcomeId: m.outcomeId, input: WORKED_EXAMPLE_COIN } }) },
  recomputeHealth: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($o: ID) { recomputeHealth(scope: { outcomeId: $o }) { id } }', variables: { o: m.outcomeId } }) },
  restartScoringRun: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { restartScoringRun(id: $id) { id } }', variables: { id: m.runId } }) },
  cancelScoringRun: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { cancelScoringRun(id: $id) { id } }', variables: { id: m.runId } }) },
  runBacktest: { roles: BACKTEST, call: (m) => ({ query: 'mutation($o: ID) { runBacktest(input: { scope: { outcomeId: $o } }) { id } }', variables: { o: m.outcomeId } }) },
  draftSuggestedWeights: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($b: ID!, $o: ID!) { draftSuggestedWeights(backtestId: $b, outcomeId: $o) { draftId } }', variables: { b: m.backtestId, o: m.outcomeId } }) },
  restartBacktest: { roles: BACKTEST, call: (m) => ({ query: 'mutation($id: ID!) { restartBacktest(id: $id) { id } }', variables: { id: m.backtestId } }) },
  upsertAccounts: { roles: INGEST, call: () => ({ query: 'mutation { upsertAccounts(accounts: [{ externalId: "new-1", name: "New" }]) { created } }' }) },
  ingestSignals: { roles: INGEST, call: () => ({ query: 'mutation { ingestSignals(signals: [{ accountExternalId: "acc-1", type: "login", occurredAt: "2026-01-01T00:00:00Z" }]) { accepted } }' }) },
  logTouchpoint: { roles: CSM, call: (m) => ({ query: 'mutation($a: ID!) { logTouchpoint(input: { accountId: $a, kind: QBR, occurredAt: "2026-01-01T00:00:00Z" }) { __typename } }', variables: { a: m.accountId } }) },
  setPulse: { roles: CSM, call: (m) => ({ query: 'mutation($a: ID!) { setPulse(accountId: $a, pulse: 4) { __typename } }', variables: { a: m.accountId } }) },
  addTag: { roles: CSM, call: (m) => ({ query: 'mutation($a: ID!) { addTag(accountId: $a, tag: "champion_left") { __typename } }', variables: { a: m.accountId } }) },
  removeTag: { roles: CSM, call: (m) => ({ query: 'mutation($a: ID!) { removeTag(accountId: $a, tag: "champion_left") { __typename } }', variables: { a: m.accountId } }) },
  completeMilestone: { roles: CSM, call: (m) => ({ query: 'mutation($a: ID!, $ms: ID!) { completeMilestone(accountId: $a, milestoneId: $ms, achievedAt: "2026-01-02T00:00:00Z") { __typename } }', variables: { a: m.accountId, ms: m.manualMilestoneId } }) },
  uncompleteMilestone: { roles: CSM, call: (m) => ({ query: 'mutation($a: ID!, $ms: ID!) { uncompleteMilestone(accountId: $a, milestoneId: $ms) }', variables: { a: m.accountId, ms: m.manualMilestoneId } }) },
  adoptClusterSuggestions: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($d: ID!) { adoptClusterSuggestions(discoveryId: $d) { id } }', variables: { d: m.discoveryId } }) },
  discoverClusters: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($c: ID) { discoverClusters(input: { clusterId: $c }) { id } }', variables: { c: m.defaultClusterId } }) },
  createPlay: { roles: CONFIGURE, call: (m) => ({ query: PLAY, variables: { input: playInput({ clusterIds: [m.clusterId], outcomeIds: [m.outcomeId], webhookEndpointId: m.endpointId }) } }) },
  updatePlay: { roles: CONFIGURE, call: (m) => ({ query: UPDATE_PLAY, variables: { id: m.playId, input: playInput() } }) },
  setPlayEnabled: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { setPlayEnabled(id: $id, enabled: false) { id } }', variables: { id: m.playId } }) },
  deletePlay: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { deletePlay(id: $id) }', variables: { id: m.playId } }) },
  evaluatePlays: { roles: CONFIGURE, call: () => ({ query: 'mutation { evaluatePlays { fired } }' }) },
  updateTask: { roles: CSM, call: (m) => ({ query: 'mutation($id: ID!) { updateTask(id: $id, input: { notes: "called" }) { id } }', variables: { id: m.taskId } }) },
  createWebhookEndpoint: { roles: ADMIN, call: () => ({ query: 'mutation { createWebhookEndpoint(input: { name: "Another", url: "https://hooks.example.com/b" }) { secret } }' }) },
  updateWebhookEndpoint: { roles: ADMIN, call: (m) => ({ query: 'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { name: "CRM", url: "https://hooks.example.com/c" }) { id } }', variables: { id: m.endpointId } }) },
  rotateWebhookSecret: { roles: ADMIN, call: (m) => ({ query: 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', variables: { id: m.endpointId } }) },
  deleteWebhookEndpoint: { roles: ADMIN, call: (m) => ({ query: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', variables: { id: m.endpointId } }) },
  redeliverWebhook: { roles: ADMIN, call: (m) => ({ query: 'mutation($id: ID!) { redeliverWebhook(id: $id) { id } }', variables: { id: m.deliveryId } }) },
  createModelDraft: { roles: CONFIGURE, call: () => ({ query: 'mutation { createModelDraft(input: { name: "Try" }) { id } }' }) },
  updateModelDraft: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { updateModelDraft(id: $id, document: { thresholds: { redBelow: 40, yellowBelow: 70 }, clusters: [{ key: "all", name: "All", isDefault: true }] }) { id } }', variables: { id: m.draftId } }) },
  deleteModelDraft: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { deleteModelDraft(id: $id) }', variables: { id: m.draftId } }) },
  publishModelDraft: { roles: CONFIGURE, call: (m) => ({ query: 'mutation($id: ID!) { publishModelDraft(id: $id, expectedLiveVersion: 1) { version { number } } }', variables: { id: m.draftId } }) },
  previewModel: { roles: PREVIEW, call: (m) => ({ query: 'mutation($d: ID!) { previewModel(draftId: $d) { id } }', variables: { d: m.draftId } }) },
  revertModel: { roles: CONFIGURE, call: () => ({ query: 'mutation { revertModel(toVersion: 1, expectedLiveVersion: 1) { version { number } } }' }) },
};

/**
 * Every field taking an id, keyed `field` or `field.arg.path`: a call using the *other*
 * workspace's model. `read` marks filters of read queries, where returning nothing of the other
 * workspace is as safe as NOT_FOUND.
 */
const ID_FIELDS: Record<string, { call: Call; read?: (data: any) => boolean }> = {
  'account.id': { call: (m) => ({ query: 'query($id: ID!) { account(id: $id) { id } }', variables: { id: m.accountId } }) },
  'cluster.id': { call: (m) => ({ query: 'query($id: ID!) { cluster(id: $id) { id } }', variables: { id: m.clusterId } }) },
  'outcome.id': { call: (m) => ({ query: 'query($id: ID!) { outcome(id: $id) { id } }', variables: { id: m.outcomeId } }) },
  'outcomes.clusterId': { call: (m) => ({ query: 'query($c: ID) { outcomes(clusterId: $c) { id } }', variables: { c: m.clusterId } }), read: (d) => d?.outcomes?.length === 0 },
  'journey.outcomeId': { call: (m) => ({ query: 'query($o: ID!) { journey(outcomeId: $o) { outcomeId } }', variables: { o: m.outcomeId } }) },
  'coin.outcomeId': { call: (m) => ({ query: 'query($o: ID!) { coin(outcomeId: $o) { outcomeId } }', variables: { o: m.outcomeId } }) },
  'scoreAccount.accountId': { call: (m) => ({ query: 'query($a: ID!) { scoreAccount(accountId: $a, asOf: "2026-06-01T00:00:00Z") { __typename } }', variables: { a: m.accountId } }) },
  'scoringRun.id': { call: (m) => ({ query: 'query($id: ID!) { scoringRun(id: $id) { id } }', variables: { id: m.runId } }) },
  'accounts.filter.clusterId': { call: (m) => ({ query: 'query($c: ID) { accounts(filter: { clusterId: $c }) { totalCount } }', variables: { c: m.clusterId } }), read: (d) => d?.accounts?.totalCount === 0 },
  'accounts.filter.outcomeId': { call: (m) => ({ query: 'query($o: ID) { accounts(filter: { outcomeId: $o }) { totalCount } }', variables: { o: m.outcomeId } }), read: (d) => d?.accounts?.totalCount === 0 },
  'accounts.filter.stageId': { call: (m) => ({ query: 'query($s: ID) { accounts(filter: { stageId: $s }) { totalCount } }', variables: { s: m.stageId } }), read: (d) => d?.accounts?.totalCount === 0 },
  'healthEvents.filter.clusterId': { call: (m) => ({ query: 'query($c: ID) { healthEvents(since: "2000-01-01T00:00:00Z", first: 10, filter: { clusterId: $c }) { edges { node { id } } } }', variables: { c: m.clusterId } }), read: emptyEvents },
  'healthEvents.filter.outcomeId': { call: (m) => ({ query: 'query($o: ID) { healthEvents(since: "2000-01-01T00:00:00Z", first: 10, filter: { outcomeId: $o }) { edges { node { id } } } }', variables: { o: m.outcomeId } }), read: emptyEvents },
  'healthEvents.filter.accountIds': { call: (m) => ({ query: 'query($a: [ID!]) { healthEvents(since: "2000-01-01T00:00:00Z", first: 10, filter: { accountIds: $a }) { edges { node { id } } } }', variables: { a: [m.accountId] } }), read: emptyEvents },
  'journeyProgress.outcomeId': { call: (m) => ({ query: 'query($o: ID!) { journeyProgress(outcomeId: $o) { __typename } }', variables: { o: m.outcomeId } }) },
  'timeToMilestone.outcomeId': { call: (m) => ({ query: 'query($o: ID!) { timeToMilestone(outcomeId: $o, maxDay: 90, step: 30) { __typename } }', variables: { o: m.outcomeId } }) },
  'clusterHealth.clusterId': { call: (m) => ({ query: 'query($c: ID!) { clusterHealth(clusterId: $c) { __typename } }', variables: { c: m.clusterId } }) },
  'healthTrend.scope.clusterId': { call: (m) => ({ query: 'query($c: ID) { healthTrend(scope: { clusterId: $c }, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", interval: WEEK) { __typename } }', variables: { c: m.clusterId } }) },
  'healthTrend.scope.outcomeId': { call: (m) => ({ query: 'query($o: ID) { healthTrend(scope: { outcomeId: $o }, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", interval: WEEK) { __typename } }', variables: { o: m.outcomeId } }) },
  'movers.scope.clusterId': { call: (m) => ({ query: 'query($c: ID) { movers(scope: { clusterId: $c }, days: 7, limit: 5) { __typename } }', variables: { c: m.clusterId } }) },
  'movers.scope.outcomeId': { call: (m) => ({ query: 'query($o: ID) { movers(scope: { outcomeId: $o }, days: 7, limit: 5) { __typename } }', variables: { o: m.outcomeId } }) },
  'revokeApiKey.id': MUTATIONS.revokeApiKey,
  'updateCluster.id': MUTATIONS.updateCluster,
  'deleteCluster.id': MUTATIONS.deleteCluster,
  'createOutcome.input.clusterId': MUTATIONS.createOutcome,
  'updateOutcome.id': MUTATIONS.updateOutcome,
  'deleteOutcome.id': MUTATIONS.deleteOutcome,
  'defineJourney.outcomeId': MUTATIONS.defineJourney,
  'defineCoin.outcomeId': MUTATIONS.defineCoin,
  'recomputeHealth.scope.outcomeId': MUTATIONS.recomputeHealth,
  'recomputeHealth.scope.clusterId': { call: (m) => ({ query: 'mutation($c: ID) { recomputeHealth(scope: { clusterId: $c }) { id } }', variables: { c: m.clusterId } }) },
  'recomputeHealth.scope.accountIds': { call: (m) => ({ query: 'mutation($a: [ID!]) { recomputeHealth(scope: { accountIds: $a }) { id } }', variables: { a: [m.accountId] } }) },
  'restartScoringRun.id': MUTATIONS.restartScoringRun,
  'suggestWeights.backtestId': { call: (m) => ({ query: 'query($b: ID!, $o: ID!) { suggestWeights(backtestId: $b, outcomeId: $o) { n } }', variables: { b: m.backtestId, o: m.outcomeId } }) },
  'suggestWeights.outcomeId': { call: (m) => ({ query: 'query($b: ID!, $o: ID!) { suggestWeights(backtestId: $b, outcomeId: $o) { n } }', variables: { b: m.backtestId, o: m.outcomeId } }) },
  'backtest.id': { call: (m) => ({ query: 'query($id: ID!) { backtest(id: $id) { id } }', variables: { id: m.backtestId } }) },
  'restartBacktest.id': MUTATIONS.restartBacktest,
  'runBacktest.input.scope.outcomeId': MUTATIONS.runBacktest,
  'runBacktest.input.scope.clusterId': { call: (m) => ({ query: 'mutation($c: ID) { runBacktest(input: { scope: { clusterId: $c } }) { id } }', variables: { c: m.clusterId } }) },
  'runBacktest.input.scope.accountIds': { call: (m) => ({ query: 'mutation($a: [ID!]) { runBacktest(input: { scope: { accountIds: $a } }) { id } }', variables: { a: [m.accountId] } }) },
  'runBacktest.input.model.draftId': { call: (m) => ({ query: 'mutation($d: ID) { runBacktest(input: { model: { draftId: $d } }) { id } }', variables: { d: m.draftId } }) },
  'draftSuggestedWeights.backtestId': MUTATIONS.draftSuggestedWeights,
  'draftSuggestedWeights.outcomeId': { call: (m) => MUTATIONS.draftSuggestedWeights.call(m) },
  'cancelScoringRun.id': MUTATIONS.cancelScoringRun,
  'logTouchpoint.input.accountId': MUTATIONS.logTouchpoint,
  'setPulse.accountId': MUTATIONS.setPulse,
  'addTag.accountId': MUTATIONS.addTag,
  'removeTag.accountId': MUTATIONS.removeTag,
  'completeMilestone.accountId': MUTATIONS.completeMilestone,
  'completeMilestone.milestoneId': { call: (m) => MUTATIONS.completeMilestone.call(m) },
  'uncompleteMilestone.accountId': MUTATIONS.uncompleteMilestone,
  'uncompleteMilestone.milestoneId': { call: (m) => MUTATIONS.uncompleteMilestone.call(m) },
  'discoverClusters.input.clusterId': MUTATIONS.discoverClusters,
  'adoptClusterSuggestions.discoveryId': MUTATIONS.adoptClusterSuggestions,
  'clusterDiscovery.id': { call: (m) => ({ query: 'query($id: ID!) { clusterDiscovery(id: $id) { id } }', variables: { id: m.discoveryId } }) },
  'play.id': { call: (m) => ({ query: 'query($id: ID!) { play(id: $id) { id } }', variables: { id: m.playId } }) },
  'createPlay.input.clusterIds': { call: (m) => ({ query: PLAY, variables: { input: playInput({ clusterIds: [m.clusterId] }) } }) },
  'createPlay.input.outcomeIds': { call: (m) => ({ query: PLAY, variables: { input: playInput({ outcomeIds: [m.outcomeId] }) } }) },
  'createPlay.input.trigger.milestoneId': { call: (m) => ({ query: PLAY, variables: { input: playInput({ trigger: { kind: 'MILESTONE_OVERDUE', milestoneId: m.manualMilestoneId } }) } }) },
  'createPlay.input.webhookEndpointId': { call: (m) => ({ query: PLAY, variables: { input: playInput({ webhookEndpointId: m.endpointId }) } }) },
  'updatePlay.id': MUTATIONS.updatePlay,
  'updatePlay.input.clusterIds': { call: (m) => ({ query: UPDATE_PLAY, variables: { id: m.playId, input: playInput({ clusterIds: [m.clusterId] }) } }) },
  'updatePlay.input.outcomeIds': { call: (m) => ({ query: UPDATE_PLAY, variables: { id: m.playId, input: playInput({ outcomeIds: [m.outcomeId] }) } }) },
  'updatePlay.input.trigger.milestoneId': { call: (m) => ({ query: UPDATE_PLAY, variables: { id: m.playId, input: playInput({ trigger: { kind: 'MILESTONE_OVERDUE', milestoneId: m.manualMilestoneId } }) } }) },
  'updatePlay.input.webhookEndpointId': { call: (m) => ({ query: UPDATE_PLAY, variables: { id: m.playId, input: playInput({ webhookEndpointId: m.endpointId }) } }) },
  'setPlayEnabled.id': MUTATIONS.setPlayEnabled,
  'deletePlay.id': MUTATIONS.deletePlay,
  'dryRunPlay.id': { call: (m) => ({ query: DRY_RUN, variables: { id: m.playId } }) },
  'dryRunPlay.input.clusterIds': { call: (m) => ({ query: DRY_RUN, variables: { input: playInput({ clusterIds: [m.clusterId] }) } }) },
  'dryRunPlay.input.outcomeIds': { call: (m) => ({ query: DRY_RUN, variables: { input: playInput({ outcomeIds: [m.outcomeId] }) } }) },
  'dryRunPlay.input.trigger.milestoneId': { call: (m) => ({ query: DRY_RUN, variables: { input: playInput({ trigger: { kind: 'MILESTONE_OVERDUE', milestoneId: m.manualMilestoneId } }) } }) },
  'dryRunPlay.input.webhookEndpointId': { call: (m) => ({ query: DRY_RUN, variables: { input: playInput({ webhookEndpointId: m.endpointId }) } }) },
  'task.id': { call: (m) => ({ query: 'query($id: ID!) { task(id: $id) { id } }', variables: { id: m.taskId } }) },
  'tasks.filter.accountId': { call: (m) => ({ query: 'query($a: ID) { tasks(filter: { accountId: $a }) { totalCount } }', variables: { a: m.accountId } }), read: (d) => d?.tasks?.totalCount === 0 },
  'tasks.filter.clusterId': { call: (m) => ({ query: 'query($c: ID) { tasks(filter: { clusterId: $c }) { totalCount } }', variables: { c: m.clusterId } }), read: (d) => d?.tasks?.totalCount === 0 },
  'tasks.filter.playId': { call: (m) => ({ query: 'query($p: ID) { tasks(filter: { playId: $p }) { totalCount } }', variables: { p: m.playId } }), read: (d) => d?.tasks?.totalCount === 0 },
  'updateTask.id': MUTATIONS.updateTask,
  'updateWebhookEndpoint.id': MUTATIONS.updateWebhookEndpoint,
  'rotateWebhookSecret.id': MUTATIONS.rotateWebhookSecret,
  'deleteWebhookEndpoint.id': MUTATIONS.deleteWebhookEndpoint,
  'webhookDelivery.id': { call: (m) => ({ query: 'query($id: ID!) { webhookDelivery(id: $id) { id } }', variables: { id: m.deliveryId } }) },
  'webhookDeliveries.filter.endpointId': { call: (m) => ({ query: 'query($e: ID) { webhookDeliveries(filter: { endpointId: $e }) { id } }', variables: { e: m.endpointId } }), read: (d) => d?.webhookDeliveries?.length === 0 },
  'webhookDeliveries.filter.playId': { call: (m) => ({ query: 'query($p: ID) { webhookDeliveries(filter: { playId: $p }) { id } }', variables: { p: m.playId } }), read: (d) => d?.webhookDeliveries?.length === 0 },
  'webhookDeliveries.filter.accountId': { call: (m) => ({ query: 'query($a: ID) { webhookDeliveries(filter: { accountId: $a }) { id } }', variables: { a: m.accountId } }), read: (d) => d?.webhookDeliveries?.length === 0 },
  'redeliverWebhook.id': MUTATIONS.redeliverWebhook,
  'model.draftId': { call: (m) => ({ query: 'query($d: ID) { model(draftId: $d) { hash } }', variables: { d: m.draftId } }) },
  'modelDraftChanges.id': { call: (m) => ({ query: 'query($id: ID!) { modelDraftChanges(id: $id) { text } }', variables: { id: m.draftId } }) },
  'updateModelDraft.id': MUTATIONS.updateModelDraft,
  'deleteModelDraft.id': MUTATIONS.deleteModelDraft,
  'publishModelDraft.id': MUTATIONS.publishModelDraft,
  'previewModel.draftId': MUTATIONS.previewModel,
  'previewModel.scope.clusterId': { call: (m) => ({ query: 'mutation($d: ID!, $c: ID) { previewModel(draftId: $d, scope: { clusterId: $c }) { id } }', variables: { d: m.draftId, c: m.clusterId } }) },
  'previewModel.scope.outcomeId': { call: (m) => ({ query: 'mutation($d: ID!, $o: ID) { previewModel(draftId: $d, scope: { outcomeId: $o }) { id } }', variables: { d: m.draftId, o: m.outcomeId } }) },
  'previewModel.scope.accountIds': { call: (m) => ({ query: 'mutation($d: ID!, $a: [ID!]) { previewModel(draftId: $d, scope: { accountIds: $a }) { id } }', variables: { d: m.draftId, a: [m.accountId] } }) },
  'modelPreview.id': { call: (m) => ({ query: 'query($id: ID!) { modelPreview(id: $id) { id } }', variables: { id: m.previewId } }) },
};

function emptyEvents(d: any): boolean {
  return Array.isArray(d?.healthEvents?.edges) && d.healthEvents.edges.length === 0;
}

/** Paths of every argument (or nested input field) of type ID, e.g. `recomputeHealth.scope.outcomeId`. */
function idPaths(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  const walk = (prefix: string, type: GraphQLInputObjectType, seen: Set<string>) => {
    if (seen.has(type.name)) return;
    for (const f of Object.values(type.getFields())) {
      const named = getNamedType(f.type);
      if (named.name === 'ID') out.push(`${prefix}.${f.name}`);
      else if (isInputObjectType(named)) walk(`${prefix}.${f.name}`, named, new Set([...seen, type.name]));
    }
  };
  for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
    for (const field of Object.values(root.getFields())) {
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        if (named.name === 'ID') out.push(`${field.name}.${arg.name}`);
        else if (isInputObjectType(named)) walk(`${field.name}.${arg.name}`, named, new Set());
      }
    }
  }
  return out.sort();
}

/** A digest of every row of every application table: equal digests = nothing changed. */
async function fingerprint(t: TestServer): Promise<Record<string, string>> {
  const tables: { table_name: string }[] = await t.db.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'typeorm_migrations'`);
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await t.db.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${table_name}" x`);
    out[table_name] = row.h;
  }
  return out;
}

async function buildModel(t: TestServer, name: string): Promise<Model> {
  const ws = await t.workspace(name);
  const key = ws.adminKey;
  const cluster = await t.ok(`mutation { createCluster(input: { name: "Managed", priority: 1, rule: { attribute: "managed", op: EQ, value: true } }) { id } }`, {}, key);
  const clusters = await t.ok('{ clusters { id isDefault } }', {}, key);
  const outcome = await t.ok(`mutation($c: ID!) { createOutcome(input: { clusterId: $c, name: "Stakeholder intelligence" }) { id } }`, { c: cluster.createCluster.id }, key);
  const outcomeId = outcome.createOutcome.id;
  const journey = await t.ok(DEFINE_JOURNEY, { outcomeId, input: FOUR_STAGE_JOURNEY }, key);
  await t.ok(DEFINE_COIN, { outcomeId, input: WORKED_EXAMPLE_COIN }, key);
  const milestones = journey.defineJourney.stages.flatMap((s: any) => s.milestones);
  const manual = milestones.find((ms: any) => ms.completion === 'MANUAL');
  const acc = await t.ok(`mutation { upsertAccounts(accounts: [{ externalId: "acc-1", name: "Acme", attributes: { managed: true } }]) { accounts { id } } }`, {}, key);
  const keys = await t.ok('{ apiKeys { id role } }', {}, key);
  const run = await t.ok(`mutation { recomputeHealth { id } }`, {}, key);
  const discovery = await t.ok(`mutation { discoverClusters { id } }`, {}, key);
  const bt = await t.ok(`mutation { runBacktest { id } }`, {}, key);
  const endpoint = await t.ok(`mutation { createWebhookEndpoint(input: { name: "CRM", url: "https://hooks.example.com/a" }) { endpoint { id } } }`, {}, key);
  const endpointId = endpoint.createWebhookEndpoint.endpoint.id;
  const play = await t.ok(PLAY, { input: playInput({ webhookEndpointId: endpointId }) }, key);
  const accountId = acc.upsertAccounts.accounts[0].id;
  // A task and a dead-lettered delivery as the play would leave them (no scores yet in this model).
  const [task] = await t.db.query(`INSERT INTO tasks (workspace_id, account_id, play_id, title) VALUES ($1, $2, $3, 'Call Acme') RETURNING id`, [ws.id, accountId, play.createPlay.id]);
  const [delivery] = await t.db.query(`INSERT INTO webhook_deliveries (workspace_id, endpoint_id, play_id, account_id, event, payload, state)
    VALUES ($1, $2, $3, $4, 'play.fired', '{}', 'DEAD') RETURNING id`, [ws.id, endpointId, play.createPlay.id, accountId]);
  const draft = await t.ok(`mutation { createModelDraft(input: { name: "Proposal" }) { id } }`, {}, key);
  const preview = await t.ok(`mutation($d: ID!) { previewModel(draftId: $d) { id } }`, { d: draft.createModelDraft.id }, key);
  return {
    playId: play.createPlay.id, taskId: task.id, endpointId, deliveryId: delivery.id,
    ws, clusterId: cluster.createCluster.id, defaultClusterId: clusters.clusters.find((c: any) => c.isDefault).id,
    outcomeId, accountId: acc.upsertAccounts.accounts[0].id, manualMilestoneId: manual.id,
    stageId: journey.defineJourney.stages[0].id,
    apiKeyId: keys.apiKeys.find((k: any) => k.role === Role.ANALYST).id, runId: run.recomputeHealth.id,
    discoveryId: discovery.discoverClusters.id,
    backtestId: bt.runBacktest.id,
    draftId: draft.createModelDraft.id, previewId: preview.previewModel.id,
  };
}

describe('access control', () => {
  const t = useTestServer();
  let schema: GraphQLSchema;
  let a: Model;
  let b: Model;

  beforeAll(async () => {
    schema = await getSchema();
    a = await buildModel(t, 'Workspace A');
    b = await buildModel(t, 'Workspace B');
  });

  it('has an expectation for every mutation in the schema', () => {
    expect(Object.keys(schema.getMutationType()!.getFields()).sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  it('has a cross-workspace case for every id argument in the schema', () => {
    expect(idPaths(schema)).toEqual(Object.keys(ID_FIELDS).sort());
  });

  it('refuses every role not allowed on a mutation with FORBIDDEN and changes nothing', async () => {
    const before = await fingerprint(t);
    const failures: string[] = [];
    for (const [name, { roles, call }] of Object.entries(MUTATIONS)) {
      for (const role of ALL_ROLES.filter((r) => !roles.includes(r))) {
        const { query, variables } = call(a);
        const res = await t.gql(query, variables, a.ws.keys[role]);
        if (res.errors?.[0]?.extensions?.code !== 'FORBIDDEN') failures.push(`${name} as ${role}: ${JSON.stringify(res.errors ?? res.data)}`);
      }
      const { query, variables } = call(a);
      const anon = await t.gql(query, variables);
      if (anon.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') failures.push(`${name} without a key`);
    }
    expect(failures).toEqual([]);
    expect(await fingerprint(t)).toEqual(before);
  });

  it('gives workspace A NOT_FOUND (or nothing) for every id of workspace B, and changes nothing', async () => {
    const before = await fingerprint(t);
    const failures: string[] = [];
    for (const [path, { call, read }] of Object.entries(ID_FIELDS)) {
      const { query, variables } = call(b);
      const res = await t.gql(query, variables, a.ws.adminKey);
      const code = res.errors?.[0]?.extensions?.code;
      const ok = code === 'NOT_FOUND' || (!res.errors && !!read?.(res.data));
      if (!ok) failures.push(`${path}: ${JSON.stringify(res.errors ?? res.data)}`);
    }
    expect(failures).toEqual([]);
    expect(await fingerprint(t)).toEqual(before);
  });

  it('lets every allowed role through (no FORBIDDEN) on every mutation', async () => {
    const refused: string[] = [];
    // Destructive calls last, so the rest still find what they need.
    const destructive = /^(delete|revoke|publish|revert)/;
    const order = Object.entries(MUTATIONS).sort(([x], [y]) => Number(destructive.test(x)) - Number(destructive.test(y)));
    for (const [name, { roles, call }] of order) {
      for (const role of roles) {
        const { query, variables } = call(a);
        const res = await t.gql(query, variables, a.ws.keys[role]);
        const code = res.errors?.[0]?.extensions?.code;
        // A malformed call would pass vacuously: it must reach the resolver (any domain outcome is fine).
        if (code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' || code === 'GRAPHQL_VALIDATION_FAILED') refused.push(`${name} as ${role}: ${code}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
