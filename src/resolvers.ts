/** Every GraphQL resolver class; one line per feature. */
import { AccountConnectionResolver, AccountResolver, LifecycleOutcomeResolver } from './accounts/account.resolver';
import { ClusterResolver } from './clusters/cluster.resolver';
import { ClusterOutcomesResolver, OutcomeResolver } from './outcomes/outcome.resolver';
import { WorkspaceResolver } from './workspaces/workspace.resolver';
import { LiveResolver } from './live/live.resolver';
import { AnalyticsResolver } from './analytics/analytics.resolver';
import { ScoringRunResolver } from './scoring/runs.resolver';
import { HEALTH_RESOLVERS } from './health/health.resolver';
import { AccountHealthResolver, AccountScoreResolver } from './accounts/account-health.resolver';
import { ScoreAccountResolver } from './scoring/score-account.resolver';
import { SignalResolver } from './signals/signal.resolver';
import { AccountTagsResolver, TouchpointResolver } from './touchpoints/touchpoint.resolver';
import { JourneyResolver, JourneyStageResolver, MilestoneResolver, OutcomeJourneyResolver } from './journeys/journey.resolver';
import { CoinResolver, OutcomeCoinResolver } from './coins/coin.resolver';
import { ClusterDiscoveryResolver, ClusterSuggestionResolver } from './discovery/discovery.resolver';
import { BacktestResolver } from './backtests/backtest.resolver';
import { PlayResolver, TaskPlayResolver } from './plays/play.resolver';
import { AccountTasksResolver, TaskResolver } from './tasks/task.resolver';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from './webhooks/webhook.resolver';
import { ModelResolver } from './model/model.resolver';
import { ModelPreviewResolver } from './model/model-preview.resolver';

export const RESOLVERS = [WorkspaceResolver, ClusterResolver, OutcomeResolver, ClusterOutcomesResolver, AccountResolver, AccountConnectionResolver, LifecycleOutcomeResolver,
  LiveResolver, AnalyticsResolver,
  SignalResolver, TouchpointResolver, AccountTagsResolver,
  JourneyResolver, JourneyStageResolver, MilestoneResolver, OutcomeJourneyResolver, CoinResolver, OutcomeCoinResolver,
  ScoringRunResolver, ...HEALTH_RESOLVERS, AccountHealthResolver, AccountScoreResolver, ScoreAccountResolver, BacktestResolver,
  PlayResolver, TaskPlayResolver, TaskResolver, AccountTasksResolver, WebhookEndpointResolver, WebhookDeliveryResolver,
  ModelResolver, ModelPreviewResolver,
  ClusterDiscoveryResolver, ClusterSuggestionResolver] as const;
