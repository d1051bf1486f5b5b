/**
 * Webhooks against a real HTTP receiver on 127.0.0.1 (loopback allowed by configuration for the test): the README's
 * verification recipe accepts the signature; a receiver that fails twice gets the payload exactly once more after two
 * retries; one that stays down ends in dead-letter and redelivery works; two instances on one database send each
 * event once; URLs that point inside the network are refused. Retry timing is injected (milliseconds), never slept on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { evaluatePlays } from '../src/plays/play.evaluate';
import { backoffMs } from '../src/webhooks/webhook.deliver';
import { addressProblem } from '../src/webhooks/webhook.target';
import { createRun, processRun } from '../src/scoring/runs.service';
import { config } from '../src/shared/config';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer, type TestWorkspace } from './support/harness';
import { createLoginModel, startTestJobs, testDatabaseUrl, until, type TestJobs } from './support/scoring-model';

/** The verification recipe of README.md ("Receiving webhooks"), as a receiver would write it. */
function verify(secret: string, headers: http.IncomingHttpHeaders, rawBody: string, toleranceSeconds = 300): boolean {
  const timestamp = String(headers['x-oh-timestamp'] ?? '');
  const given = String(headers['x-oh-signature'] ?? '').replace(/^v1=/, '');
  const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= toleranceSeconds;
  return fresh && given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

interface Received { headers: http.IncomingHttpHeaders; body: string }

/** A receiver whose answer to each request is decided by `respond` (status code), recording every request. */
class Receiver {
  received: Received[] = [];
  respond: (n: number) => number = () => 200;
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      this.received.push({ headers: req.headers, body });
      const status = this.respond(this.received.length);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : `nope ${'x'.repeat(2000)}`);
    });
  });
  url = '';
  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const CREATE_ENDPOINT = `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url secretPrefix } } }`;
const DELIVERIES = `query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f) { id state attempts lastStatusCode lastError
  attemptLog { attempt statusCode latencyMs error responseExcerpt } } }`;

jest.setTimeout(90_000); // a busy machine: the retries are milliseconds, the processes around them are not

describe('webhooks', () => {
  const t = useTestServer();
  let jobs: TestJobs;
  const savedPolicy = { ...config };

  beforeAll(async () => {
    config.webhookAllowPrivateTargets = true; // the receiver is on loopback
    jobs = await startTestJobs(t.db, t.dbName, { sweepIntervalMs: 60_000,
      webhooks: { policy: { retryBaseMs: 30, maxAttempts: 3, random: () => 0.5 } } });
  });
  // Before the harness drops the database: an afterAll here would run after it, when a retry's
  // pg-boss query could still be in flight and be killed by DROP DATABASE … WITH (FORCE).
  t.cleanup(async () => { await jobs?.stop(); });
  afterAll(() => { Object.assign(config, savedPolicy); });

  /** A workspace whose RED accounts fire a webhook-only play to `url`. */
  async function firing(accounts: number, url: string): Promise<{ ws: TestWorkspace; secret: string; endpointId: string; playId: string }> {
    const ws = await t.workspace();
    await createLoginModel(t.db, ws.id, accounts);
    const run = await createRun(TenantScope.system(t.db, ws.id), {});
    expect(await processRun(t.db, ws.id, run.id)).toBe('SUCCEEDED');
    const { createWebhookEndpoint: ep } = await t.ok(CREATE_ENDPOINT, { input: { name: 'CRM', url } }, ws.adminKey);
    const { createPlay } = await t.ok(`mutation($input: PlayInput!) { createPlay(input: $input) { id } }`,
      { input: { name: 'Red → CRM', trigger: { kind: 'BAND_ENTERED', band: 'RED' }, webhookEndpointId: ep.endpoint.id } }, ws.keys.OPS);
    return { ws, secret: ep.secret, endpointId: ep.endpoint.id, playId: createPlay.id };
  }

  const deliveries = async (ws: TestWorkspace) => (await t.ok(DELIVERIES, {}, ws.adminKey)).webhookDeliveries;

  it('signs every delivery so that the documented recipe verifies it; the secret is shown once and not stored in clear', async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      const { ws, secret, endpointId } = await firing(1, rx.url);
      expect(secret).toMatch(/^whsec_/);
      const [{ secret_ciphertext }] = await t.db.query(`SELECT secret_ciphertext FROM webhook_endpoints WHERE id = $1`, [endpointId]);
      expect(secret_ciphertext).not.toContain(secret.slice(6));
      expect(await evaluatePlays(t.db, ws.id)).toMatchObject({ fired: 1, deliveries: 1 });
      await until(async () => rx.received.length === 1, 45_000);
      const [{ headers, body }] = rx.received;
      expect(verify(secret, headers, body)).toBe(true);
      expect(verify(secret, headers, body.replace('RED', 'GREEN'))).toBe(false);
      expect(verify('whsec_other', headers, body)).toBe(false);
      const payload = JSON.parse(body);
      expect(payload).toMatchObject({ event: 'play.fired', play: { name: 'Red → CRM', trigger: { kind: 'BAND_ENTERED', band: 'RED' } },
        account: { name: 'Account 1', externalId: 'acc-001' }, health: { score: 0, band: 'RED' } });
      expect(payload.id).toBe(headers['x-oh-delivery']);
      expect(payload.outcomes[0].topDrivers[0]).toMatchObject({ key: 'logins', score: 0 });
      await until(async () => (await deliveries(ws))[0].state === 'DELIVERED', 45_000);
    } finally {
      await rx.stop();
    }
  });

  it('a receiver that fails twice gets the payload exactly once more, after two retries', async () => {
    const rx = new Receiver();
    rx.respond = (n) => (n <= 2 ? 503 : 200);
    await rx.start();
    try {
      const { ws } = await firing(1, rx.url);
      await evaluatePlays(t.db, ws.id);
      const [d] = await until(async () => { const l = await deliveries(ws); return l[0]?.state === 'DELIVERED' ? l : null; }, 45_000);
      expect(rx.received.length).toBe(3);
      expect(new Set(rx.received.map((r) => JSON.parse(r.body).id))).toEqual(new Set([d.id]));
      expect(d.attemptLog.map((a: any) => [a.attempt, a.statusCode])).toEqual([[1, 503], [2, 503], [3, 200]]);
      expect(d.attemptLog[0].responseExcerpt.length).toBe(512); // a short excerpt, not the body
      expect(d.attemptLog[2].responseExcerpt).toBe('thanks');
      // Nothing left to send: the sweep finds nothing, no job is waiting, the receiver saw three requests.
      expect(await jobs.sweep().then(() => t.db.query(`SELECT 1 FROM webhook_deliveries WHERE state IN ('PENDING', 'SENDING')`))).toEqual([]);
      expect(rx.received.length).toBe(3);
    } finally {
      await rx.stop();
    }
  });

  it('a receiver down past the retry window ends in dead-letter, the play is reported failing, and redelivery works', async () => {
    const rx = new Receiver();
    await rx.start();
    const port = Number(new URL(rx.url).port);
    await rx.stop(); // down: connection refused
    const { ws, playId } = await firing(1, rx.url);
    await evaluatePlays(t.db, ws.id);
    const [dead] = await until(async () => { const l = await deliveries(ws); return l[0]?.state === 'DEAD' ? l : null; }, 45_000);
    expect(dead.attempts).toBe(3);
    expect(dead.attemptLog.every((a: any) => a.statusCode === null && /ECONNREFUSED/.test(a.error))).toBe(true);
    const play = await t.ok(`query($id: ID!) { play(id: $id) { webhookFailing } webhookEndpoints { failing consecutiveFailures } }`, { id: playId }, ws.adminKey);
    expect(play).toEqual({ play: { webhookFailing: true }, webhookEndpoints: [{ failing: true, consecutiveFailures: 3 }] });

    const up = new Receiver();
    await up.start(port);
    try {
      const again = await t.ok(`mutation($id: ID!) { redeliverWebhook(id: $id) { id state } }`, { id: dead.id }, ws.adminKey);
      expect(again.redeliverWebhook).toEqual({ id: dead.id, state: 'PENDING' });
      const [done] = await until(async () => { const l = await deliveries(ws); return l[0]?.state === 'DELIVERED' ? l : null; }, 45_000);
      expect(done.attempts).toBe(4);
      expect(up.received.map((r) => JSON.parse(r.body).id)).toEqual([dead.id]);
      expect((await t.ok(`{ webhookEndpoints { failing consecutiveFailures } }`, {}, ws.adminKey)).webhookEndpoints).toEqual([{ failing: false, consecutiveFailures: 0 }]);
    } finally {
      await up.stop();
    }
  });

  it('two instances on one database send each event once', async () => {
    const rx = new Receiver();
    await rx.start();
    const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'support', 'webhook-worker-child.ts'), testDatabaseUrl(t.dbName)],
      { cwd: path.join(__dirname, '..'), stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); });
        child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      const { ws } = await firing(20, rx.url);
      // Both instances evaluate the same state at once (each after "its" rescore) …
      const [a, b] = await Promise.all([evaluatePlays(t.db, ws.id), evaluatePlays(t.db, ws.id)]);
      expect(a.fired + b.fired).toBe(20);
      // … and both re-queue every pending delivery (the child's sweep every 100 ms with no grace, ours now): two or
      // more jobs per delivery, worked by both processes.
      await jobs.sweep();
      await until(async () => (await t.db.query(`SELECT 1 FROM webhook_deliveries WHERE workspace_id = $1 AND state = 'DELIVERED'`, [ws.id])).length === 20, 45_000);
      const ids = rx.received.map((r) => JSON.parse(r.body).id);
      expect(ids.length).toBe(20);
      expect(new Set(ids).size).toBe(20);
    } finally {
      child.stdin!.end();
      await new Promise((resolve) => child.once('exit', resolve));
      await rx.stop();
    }
  });

  it('refuses webhook URLs inside the network unless configuration allows them, and plain http outside development', async () => {
    const ws = await t.workspace();
    config.webhookAllowPrivateTargets = false;
    try {
      const failures: string[] = [];
      for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data',
        'http://[::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://192.168.0.10/x', 'ftp://example.com/x', 'https://user:pw@example.com/x', 'not a url']) {
        const res = await t.gql(CREATE_ENDPOINT, { input: { name: url, url } }, ws.adminKey);
        if (res.errors?.[0]?.extensions?.code !== 'BAD_USER_INPUT' || res.errors[0].extensions.field !== 'input.url') failures.push(url);
      }
      expect(failures).toEqual([]);
      config.webhookAllowHttp = false;
      const http = await t.gql(CREATE_ENDPOINT, { input: { name: 'plain', url: 'http://hooks.example.com/x' } }, ws.adminKey);
      expect(http.errors?.[0]?.message).toMatch(/https/);
      const ok = await t.ok(CREATE_ENDPOINT, { input: { name: 'public', url: 'https://hooks.example.com/x' } }, ws.adminKey);
      expect(ok.createWebhookEndpoint.endpoint.url).toBe('https://hooks.example.com/x');
      expect(await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE workspace_id = $1`, [ws.id])).toEqual([{ n: 1 }]);
    } finally {
      config.webhookAllowPrivateTargets = true;
      config.webhookAllowHttp = savedPolicy.webhookAllowHttp;
    }
  });

  it('backs off exponentially with jitter between 0.5× and 1.5×, and judges mapped and private addresses as such', () => {
    const at = (n: number, r: number) => backoffMs(n, { retryBaseMs: 1000, random: () => r });
    expect([1, 2, 3, 4].map((n) => at(n, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(at(3, 0)).toBe(2000);
    expect(at(3, 0.999)).toBe(5996);
    const strict = { allowHttp: false, allowPrivate: false };
    expect(['127.0.0.1', '10.0.0.1', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '0.0.0.0']
      .filter((a) => !addressProblem(a, strict))).toEqual([]);
    expect(['93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8'].filter((a) => addressProblem(a, strict))).toEqual([]);
    expect(addressProblem('127.0.0.1', { allowHttp: true, allowPrivate: true })).toBeNull();
  });
});
