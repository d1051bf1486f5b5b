/**
 * Failed authentication is throttled per client address (src/shared/auth-throttle.ts): after the limit, unknown keys
 * get 429 with Retry-After and no database lookup, while a valid key this instance knows keeps working; the window
 * ends on its own. The clock is injected, so no test waits for a minute to pass.
 */
import type { DataSource } from 'typeorm';
import { startApp, type RunningApp } from '../src/app';
import { AuthThrottle } from '../src/shared/auth-throttle';
import { createDataSource } from '../src/shared/db/data-source';
import { withDatabase } from './support/global-setup';
import { useTestServer } from './support/harness';

describe('failed-authentication throttle', () => {
  const t = useTestServer();
  let db: DataSource;
  let app: RunningApp;
  let now = 1_000_000;
  const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });

  beforeAll(async () => {
    db = createDataSource(withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), 3);
    await db.initialize();
    app = await startApp({ db, port: 0, host: '127.0.0.1', authThrottle: throttle });
  });
  t.cleanup(async () => { await app?.stop(); await db?.destroy(); });

  async function viewer(key?: string): Promise<{ status: number; retryAfter: string | null; code?: string; role?: string }> {
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: '{"query":"{ viewer { role } }"}' });
    const body = await res.json() as { data?: { viewer: { role: string } }; errors?: Array<{ extensions?: { code?: string } }> };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code, role: body.data?.viewer.role };
  }

  it('answers 429 with Retry-After after the limit, keeps known valid keys working, and lets go when the window ends', async () => {
    const ws = await t.workspace('Throttle');
    expect((await viewer(ws.keys.ANALYST)).role).toBe('ANALYST'); // known to this instance from now on
    for (let i = 0; i < 3; i++) expect((await viewer(`oh_wrong${i}`)).code).toBe('UNAUTHENTICATED');

    now += 15_000;
    expect(await viewer('oh_wrong4')).toEqual({ status: 429, retryAfter: '45', code: 'RATE_LIMITED', role: undefined });
    expect((await viewer(ws.keys.ANALYST)).role).toBe('ANALYST'); // valid keys are not slowed
    expect((await viewer()).code).toBe('UNAUTHENTICATED'); // no key at all: nothing to throttle

    now += 45_000;
    expect((await viewer('oh_wrong5')).code).toBe('UNAUTHENTICATED'); // the window ended
    expect((await viewer(ws.keys.OPS)).role).toBe('OPS');
  });

  it('forgets the oldest addresses beyond maxTracked', () => {
    const small = new AuthThrottle({ maxFailures: 1, windowMs: 60_000, maxTracked: 2, now: () => 0 });
    for (const a of ['a', 'b', 'c']) small.failed(a);
    expect(['a', 'b', 'c'].map((a) => small.retryAfterSeconds(a))).toEqual([0, 60, 60]);
  });
});
