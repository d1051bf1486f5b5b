/**
 * `npm start` as a process: a taken port ends it at once with one sentence; after a `kill -9` the next start takes
 * over the embedded PostgreSQL's lock and stops the PostgreSQL the killed server left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testDatabaseUrl } from './support/scoring-model';
import { useTestServer } from './support/harness';

const ROOT = path.join(__dirname, '..');

interface Started { child: ChildProcess; output: () => string; exited: Promise<number | null> }

/** `npm start`'s own node arguments, run without npm so that signals reach the server itself. */
function start(env: Record<string, string | undefined>): Started {
  const args = (require('../package.json').scripts.start as string).replace(/^node /, '').split(' ');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: 'false', WORKER: 'false', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves when the output contains `text`, rejects when the process exits first. */
async function waitForOutput(s: Started, text: string): Promise<void> {
  if (s.output().includes(text)) return;
  await new Promise<void>((resolve, reject) => {
    const check = () => { if (s.output().includes(text)) { cleanup(); resolve(); } };
    const exit = () => { cleanup(); reject(new Error(`exited before printing "${text}":\n${s.output()}`)); };
    const cleanup = () => { s.child.stdout!.off('data', check); s.child.stderr!.off('data', check); s.child.off('exit', exit); };
    s.child.stdout!.on('data', check);
    s.child.stderr!.on('data', check);
    s.child.once('exit', exit);
  });
}

const isAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('npm start', () => {
  const t = useTestServer();

  it('a port in use ends the process at once with one sentence', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const s = start({ DATABASE_URL: testDatabaseUrl(t.dbName), PORT: String(port) });
      expect(await s.exited).toBe(1);
      // All it says is that sentence (Node's own deprecation warnings aside): no stack trace, no log lines.
      const said = s.output().split('\n').filter((l) => l.trim() && !/^\(node:\d+\) |^\(Use `node --trace/.test(l));
      expect(said).toEqual([`port ${port} is in use; set PORT`]);
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('after a kill -9, the next start takes over the embedded PostgreSQL at once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oh-restart-'));
    fs.chmodSync(dataDir, 0o755); // reachable, so that even as root the cluster is <dataDir>/pg
    const env = { DATABASE_URL: undefined, DATA_DIR: dataDir, PORT: '0' };
    let second: Started | undefined;
    try {
      const first = start(env);
      await waitForOutput(first, 'Outcome Health GraphQL API:');
      const orphan = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      first.child.kill('SIGKILL');
      await first.exited;
      expect(isAlive(orphan)).toBe(true); // the killed server's PostgreSQL is still running

      second = start(env);
      await waitForOutput(second, 'Outcome Health GraphQL API:');
      expect(second.output()).not.toMatch(/in use by another/);
      expect(isAlive(orphan)).toBe(false); // stopped by the second start, which runs its own
      const url = /(http:\/\/\S+\/graphql)/.exec(second.output())![1];
      expect(await (await fetch(url.replace('/graphql', '/ready'))).json()).toEqual({ status: 'ready' });

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      if (second && second.child.exitCode === null) { second.child.kill('SIGTERM'); await second.exited; }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
