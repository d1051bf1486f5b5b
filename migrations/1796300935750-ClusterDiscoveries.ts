/** Cluster discovery (src/discovery/): the discoveries with their stored result, and the group of each account. */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ClusterDiscoveries1796300935750 implements MigrationInterface {
    name = 'ClusterDiscoveries1796300935750'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "cluster_discoveries" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "state" text NOT NULL DEFAULT 'QUEUED', "stage" text, "progress" double precision NOT NULL DEFAULT '0', "params" jsonb NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "result" jsonb, "error" text, "attempts" integer NOT NULL DEFAULT '0', "requested_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "heartbeat_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9b78849eedd72dbeac52d831cf1" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "cluster_discoveries_open_idx" ON "cluster_discoveries" ("state", "heartbeat_at") WHERE "state" IN ('QUEUED', 'RUNNING')`);
        await queryRunner.query(`CREATE INDEX "cluster_discoveries_created_idx" ON "cluster_discoveries" ("workspace_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "cluster_discovery_members" ("workspace_id" uuid NOT NULL, "discovery_id" uuid NOT NULL, "account_id" uuid NOT NULL, "group_index" smallint NOT NULL, CONSTRAINT "PK_b9e025008ef361f42e1d6aa2903" PRIMARY KEY ("workspace_id", "discovery_id", "account_id"))`);
        await queryRunner.query(`ALTER TABLE "cluster_discoveries" ADD CONSTRAINT "FK_d9b86f3bd611dd3bda65eb9db91" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "cluster_discovery_members" ADD CONSTRAINT "FK_d6bdd9074fc5149ff5aba9290dd" FOREIGN KEY ("workspace_id", "discovery_id") REFERENCES "cluster_discoveries"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "cluster_discovery_members" DROP CONSTRAINT "FK_d6bdd9074fc5149ff5aba9290dd"`);
        await queryRunner.query(`ALTER TABLE "cluster_discoveries" DROP CONSTRAINT "FK_d9b86f3bd611dd3bda65eb9db91"`);
        await queryRunner.query(`DROP TABLE "cluster_discovery_members"`);
        await queryRunner.query(`DROP INDEX "public"."cluster_discoveries_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."cluster_discoveries_open_idx"`);
        await queryRunner.query(`DROP TABLE "cluster_discoveries"`);
    }

}
