/** Every TypeORM entity, for the DataSource and the migration generator. */
import { Account, LifecycleOutcome } from './accounts/account.entity';
import { Cluster } from './clusters/cluster.entity';
import { Coin, Component } from './coins/coin.entity';
import { Journey, JourneyStage, Milestone } from './journeys/journey.entity';
import { MilestoneCompletionRecord } from './journeys/milestone-completion.entity';
import { Outcome } from './outcomes/outcome.entity';
import { AccountHealthSnapshot, CurrentAccountHealth, CurrentMilestoneProgress, CurrentOutcomeHealth, HealthSnapshot } from './health/health.entity';
import { ModelVersion } from './scoring/model-version.entity';
import { RescoreRequest } from './jobs/rescore-request.entity';
import { ScoringRun } from './scoring/runs.entity';
import { Signal } from './signals/signal.entity';
import { HealthEventRecord } from './live/health-event.entity';
import { ApiKey } from './workspaces/api-key.entity';
import { ClusterDiscovery, ClusterDiscoveryMember } from './discovery/discovery.entity';
import { Workspace } from './workspaces/workspace.entity';
import { ModelDraft } from './model/model-draft.entity';
import { Backtest, BacktestCase, BacktestOutcomeScore } from './backtests/backtest.entity';
import { Play, PlayFiring } from './plays/play.entity';
import { Task } from './tasks/task.entity';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhooks/webhook.entity';
import { ModelPreview, ModelPreviewAccount, ModelPreviewOutcome } from './model/model-preview.entity';

export const ENTITIES = [
  Workspace, ApiKey, Cluster, Outcome, Journey, JourneyStage, Milestone, Coin, Component,
  Account, LifecycleOutcome, Signal, MilestoneCompletionRecord,
  ModelVersion, HealthSnapshot, CurrentOutcomeHealth, CurrentMilestoneProgress, AccountHealthSnapshot, CurrentAccountHealth,
  ScoringRun, RescoreRequest,
  HealthEventRecord,
  ClusterDiscovery, ClusterDiscoveryMember,
  ModelDraft, ModelPreview, ModelPreviewAccount, ModelPreviewOutcome,
  Backtest, BacktestCase, BacktestOutcomeScore,
  WebhookEndpoint, WebhookDelivery, WebhookAttempt, Play, PlayFiring, Task,
];
