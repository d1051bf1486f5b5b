/**
 * Every change to api_keys NOTIFYs `oh_api_keys` (payload: the key's id; '*' after a TRUNCATE), delivered when the
 * change commits. Each server instance LISTENs and drops what it cached for that key (src/workspaces/api-key.cache.ts).
 * A trigger rather than NOTIFYs in the services: revocations by hand in psql, workspace deletions (ON DELETE CASCADE)
 * and any future writer invalidate too, so no code path can forget to. INSERTs need none: unknown keys are never cached.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ApiKeysNotify1795450000000 implements MigrationInterface {
    name = 'ApiKeysNotify1795450000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE FUNCTION oh_api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('oh_api_keys', CASE WHEN TG_OP = 'TRUNCATE' THEN '*' ELSE OLD.id::text END);
  RETURN NULL;
END $$`);
        await queryRunner.query(`CREATE TRIGGER api_keys_notify AFTER UPDATE OR DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION oh_api_keys_notify()`);
        await queryRunner.query(`CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION oh_api_keys_notify()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER api_keys_notify_truncate ON "api_keys"`);
        await queryRunner.query(`DROP TRIGGER api_keys_notify ON "api_keys"`);
        await queryRunner.query(`DROP FUNCTION oh_api_keys_notify()`);
    }

}
