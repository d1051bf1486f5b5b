/**
 * The demo workspace's plays (issue 14), kept apart from the rest of the seed: a STUCK enterprise account opens a
 * task for its CSM; a RED account within 60 days of renewal sends a webhook to a CRM endpoint, disabled until someone
 * points it at a real receiver (DEMO_WEBHOOK_URL, or edit it through the API). Evaluated once at the seed time, so
 * open tasks show right after `npm start`.
 */
import type { DataSource } from 'typeorm';
import { evaluatePlays } from '../src/plays/play.evaluate';

type Api = <T = any>(source: string, variableValues?: Record<string, unknown>) => Promise<T>;

export const DEMO_PLAYS = { stuck: 'Stuck enterprise account: recovery call', renewal: 'Red before renewal: alert the CRM' };

export async function seedDemoPlays(api: Api, db: DataSource, workspaceId: string, now: Date): Promise<{ tasks: number }> {
  const { clusters } = await api<{ clusters: Array<{ id: string; name: string }> }>(`query DemoClusters { clusters { id name } }`);
  const enterprise = clusters.find((c) => c.name === 'Managed enterprise');
  if (!enterprise) throw new Error('demo plays: the "Managed enterprise" cluster is missing');
  await api(`mutation DemoStuckPlay($input: PlayInput!) { createPlay(input: $input) { id } }`, { input: {
    name: DEMO_PLAYS.stuck,
    description: 'An enterprise account is STUCK on an outcome: a milestone is overdue and nothing was achieved for a month.',
    trigger: { kind: 'JOURNEY_STATUS', journeyStatuses: ['STUCK'] },
    clusterIds: [enterprise.id],
    cooldownDays: 14,
    task: { titleTemplate: '{account.name} is STUCK on "{outcome.name}": plan a recovery call', dueInDays: 5, priority: 'HIGH' },
  } });
  const { createWebhookEndpoint } = await api<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
    `mutation DemoEndpoint($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
    { input: { name: 'CRM', url: process.env.DEMO_WEBHOOK_URL || 'https://hooks.example.com/outcome-health' } });
  await api(`mutation DemoRenewalPlay($input: PlayInput!) { createPlay(input: $input) { id } }`, { input: {
    name: DEMO_PLAYS.renewal,
    description: 'RED within 60 days of renewal: tell the CRM. Disabled until the endpoint points at a real receiver.',
    enabled: false,
    trigger: { kind: 'RENEWAL_WITHIN', days: 60, bands: ['RED'] },
    cooldownDays: 30,
    webhookEndpointId: createWebhookEndpoint.endpoint.id,
  } });
  const evaluated = await evaluatePlays(db, workspaceId, { now });
  return { tasks: evaluated.tasks };
}
