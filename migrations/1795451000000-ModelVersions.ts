/**
 * The model as one document, versions and drafts (docs/model.md):
 * - clusters and outcomes get stable keys (slugs, unique per workspace) so that the model document can name them
 *   without database ids; existing rows get a slug of their name (the id's first 8 hex digits added to a duplicate).
 *   A BEFORE INSERT trigger fills the key of a row inserted without one (CLIs, seeds, tests, older clients), so
 *   no writer has to know about keys.
 * - model_versions become numbered versions (1, 2, 3 … per workspace, by a trigger under a per-workspace advisory
 *   lock: no writer can skip or repeat a number) that also keep the document, who made it and why. The hash stays
 *   what snapshots record, but is no longer unique: a revert makes an earlier configuration live again as a new version.
 * - model_drafts: proposed documents.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ModelVersions1795451000000 implements MigrationInterface {
    name = 'ModelVersions1795451000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "model_drafts" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "document" jsonb NOT NULL, "document_hash" text NOT NULL, "ids" jsonb NOT NULL DEFAULT '{}', "base_version" integer, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_53e8b24949656d2a54cb3a86803" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "model_drafts_created_idx" ON "model_drafts" ("workspace_id", "created_at") `);

        // A slug of a name as the model's keys are (src/journeys/input-shape.ts KEY_RE), unique in the workspace.
        await queryRunner.query(`CREATE FUNCTION oh_model_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  base text;
  candidate text;
  n int := 1;
  taken boolean;
BEGIN
  IF NEW.key IS NOT NULL THEN RETURN NEW; END IF;
  base := trim(both '_' FROM left(regexp_replace(lower(NEW.name), '[^a-z0-9]+', '_', 'g'), 56));
  IF base = '' THEN base := TG_ARGV[0]; END IF;
  candidate := base;
  LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE workspace_id = $1 AND key = $2)', TG_TABLE_NAME)
      INTO taken USING NEW.workspace_id, candidate;
    EXIT WHEN NOT taken;
    n := n + 1;
    candidate := base || '_' || n;
  END LOOP;
  NEW.key := candidate;
  RETURN NEW;
END $$`);
        for (const [table, fallback] of [['clusters', 'cluster'], ['outcomes', 'outcome']]) {
            await queryRunner.query(`ALTER TABLE "${table}" ADD "key" text`);
            await queryRunner.query(`UPDATE "${table}" t SET key = s.key FROM (
                SELECT id, workspace_id, CASE WHEN row_number() OVER (PARTITION BY workspace_id, slug ORDER BY created_at, id) = 1 THEN slug
                                              ELSE left(slug, 47) || '_' || left(replace(id::text, '-', ''), 8) END AS key
                FROM (SELECT id, workspace_id, created_at,
                             coalesce(nullif(trim(both '_' FROM left(regexp_replace(lower(name), '[^a-z0-9]+', '_', 'g'), 56)), ''), '${fallback}') AS slug
                      FROM "${table}") x) s
              WHERE t.workspace_id = s.workspace_id AND t.id = s.id`);
            await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "key" SET NOT NULL`);
            await queryRunner.query(`CREATE TRIGGER ${table}_key BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION oh_model_key('${fallback}')`);
        }
        await queryRunner.query(`CREATE UNIQUE INDEX "clusters_key" ON "clusters" ("workspace_id", "key") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "outcomes_key" ON "outcomes" ("workspace_id", "key") `);

        await queryRunner.query(`DROP INDEX "public"."model_versions_hash_key"`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "number" integer`);
        await queryRunner.query(`UPDATE model_versions v SET number = x.n FROM (
            SELECT workspace_id, id, row_number() OVER (PARTITION BY workspace_id ORDER BY created_at, id) AS n FROM model_versions) x
          WHERE v.workspace_id = x.workspace_id AND v.id = x.id`);
        await queryRunner.query(`ALTER TABLE "model_versions" ALTER COLUMN "number" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "document" jsonb`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "document_hash" text`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "ids" jsonb`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "actor_key_id" uuid`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "actor_name" text`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "actor_role" text`);
        await queryRunner.query(`ALTER TABLE "model_versions" ADD "message" text`);
        await queryRunner.query(`CREATE UNIQUE INDEX "model_versions_number_key" ON "model_versions" ("workspace_id", "number") `);
        await queryRunner.query(`CREATE INDEX "model_versions_hash_idx" ON "model_versions" ("workspace_id", "hash") `);
        // The next number, under a per-workspace lock held to commit: concurrent versions of one workspace line up.
        await queryRunner.query(`CREATE FUNCTION oh_model_version_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('model_versions:' || NEW.workspace_id::text, 0));
  SELECT coalesce(max(number), 0) + 1 INTO NEW.number FROM model_versions WHERE workspace_id = NEW.workspace_id;
  RETURN NEW;
END $$`);
        await queryRunner.query(`CREATE TRIGGER model_versions_number BEFORE INSERT ON "model_versions" FOR EACH ROW EXECUTE FUNCTION oh_model_version_number()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER model_versions_number ON "model_versions"`);
        await queryRunner.query(`DROP FUNCTION oh_model_version_number()`);
        await queryRunner.query(`DROP INDEX "public"."model_versions_hash_idx"`);
        await queryRunner.query(`DROP INDEX "public"."model_versions_number_key"`);
        await queryRunner.query(`DROP INDEX "public"."outcomes_key"`);
        await queryRunner.query(`DROP INDEX "public"."clusters_key"`);
        for (const c of ['message', 'actor_role', 'actor_name', 'actor_key_id', 'ids', 'document_hash', 'document', 'number']) {
            await queryRunner.query(`ALTER TABLE "model_versions" DROP COLUMN "${c}"`);
        }
        await queryRunner.query(`DROP TRIGGER outcomes_key ON "outcomes"`);
        await queryRunner.query(`DROP TRIGGER clusters_key ON "clusters"`);
        await queryRunner.query(`ALTER TABLE "outcomes" DROP COLUMN "key"`);
        await queryRunner.query(`ALTER TABLE "clusters" DROP COLUMN "key"`);
        await queryRunner.query(`DROP FUNCTION oh_model_key()`);
        await queryRunner.query(`DROP INDEX "public"."model_drafts_created_idx"`);
        await queryRunner.query(`DROP TABLE "model_drafts"`);
        // Fails when a revert recorded one configuration twice: such a history cannot go back to unique hashes.
        await queryRunner.query(`CREATE UNIQUE INDEX "model_versions_hash_key" ON "model_versions" ("workspace_id", "hash") `);
    }
}
