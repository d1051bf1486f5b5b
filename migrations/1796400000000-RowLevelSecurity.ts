/**
 * Row-level security as the tenant wall (docs/security-and-reliability.md):
 * - the application role `oh_app` (NOLOGIN, no BYPASSRLS), created here when the migrating user may create roles and
 *   granted to it; otherwise a DBA creates and grants it first (the migration stops, saying so). Roles belong to the
 *   whole cluster, so databases created together (test files cloning one template) may create it at the same time:
 *   whoever loses the race gets duplicate_object or unique_violation, which means it exists now.
 * - every table with a `workspace_id` (and `workspaces` by its id) shows `oh_app` only the rows of the workspace its
 *   transaction or connection is set to (`oh.workspace_id`, set by TenantScope); unset, it shows nothing. FORCE applies
 *   the policies to the tables' owner too, whose unrestricted access is then a named policy (`owner_maintenance`, for
 *   migrations, the workspace CLI and cross-workspace maintenance) rather than an implicit exemption.
 * Written by hand (TypeORM does not generate roles, grants or policies), in the generated migrations' style.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

const WORKSPACE_TABLES = [
    'account_health_snapshots', 'accounts', 'api_keys', 'backtest_cases', 'backtest_outcome_scores', 'backtests',
    'cluster_discoveries', 'cluster_discovery_members', 'clusters', 'coins', 'components', 'current_account_health',
    'current_milestone_progress', 'current_outcome_health', 'health_events', 'health_snapshots', 'journey_stages',
    'journeys', 'lifecycle_outcomes', 'milestone_completions', 'milestones', 'model_drafts', 'model_preview_accounts',
    'model_preview_outcomes', 'model_previews', 'model_versions', 'outcomes', 'play_firings', 'plays',
    'rescore_requests', 'scoring_peer_distributions', 'scoring_runs', 'signals', 'tasks', 'webhook_attempts', 'webhook_deliveries', 'webhook_endpoints',
];

/** The workspace a tenant transaction or connection is set to; NULL (no row matches) when unset or reset. */
const CURRENT_WORKSPACE = `nullif(current_setting('oh.workspace_id', true), '')::uuid`;

export class RowLevelSecurity1796400000000 implements MigrationInterface {
    name = 'RowLevelSecurity1796400000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oh_app') THEN
    IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
      RAISE EXCEPTION 'The application role oh_app does not exist, and % may not create it', current_user
        USING HINT = format('Ask a DBA to run: CREATE ROLE oh_app NOLOGIN; GRANT oh_app TO %I; then start again.', current_user);
    END IF;
    BEGIN
      CREATE ROLE oh_app NOLOGIN NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created meanwhile by a migration of another database
    END;
  END IF;
  -- A superuser may SET ROLE to any role; anyone else needs the membership.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    BEGIN
      EXECUTE format('GRANT oh_app TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation OR duplicate_object OR unique_violation THEN
      NULL; -- granted by a DBA (or not: the server checks when it connects as oh_app, and says so)
    END;
  END IF;
END $$`);
        await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO oh_app`);
        await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO oh_app`);
        await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO oh_app`);
        await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO oh_app`);
        for (const [table, column] of [['workspaces', 'id'], ...WORKSPACE_TABLES.map((t) => [t, 'workspace_id'])]) {
            await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
            await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
            await queryRunner.query(`CREATE POLICY "workspace_isolation" ON "${table}" TO oh_app USING ("${column}" = ${CURRENT_WORKSPACE})`);
            await queryRunner.query(`CREATE POLICY "owner_maintenance" ON "${table}" TO CURRENT_USER USING (true) WITH CHECK (true)`);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        for (const table of ['workspaces', ...WORKSPACE_TABLES]) {
            await queryRunner.query(`DROP POLICY "owner_maintenance" ON "${table}"`);
            await queryRunner.query(`DROP POLICY "workspace_isolation" ON "${table}"`);
            await queryRunner.query(`ALTER TABLE "${table}" NO FORCE ROW LEVEL SECURITY`);
            await queryRunner.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
        }
        await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM oh_app`);
        await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM oh_app`);
        await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM oh_app`);
        await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM oh_app`);
        // The role stays: it belongs to the cluster, and other databases may use it.
    }

}
