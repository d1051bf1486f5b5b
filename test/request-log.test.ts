/**
 * Per-request plumbing of src/app.ts: the x-request-id header (the client's or a new one) on every response,
 * and one info line per operation through the request's child logger, which is made only when info is enabled.
 */
import { logger } from '../src/shared/logger';
import { useTestServer } from './support/harness';

describe('request id and request log', () => {
  const t = useTestServer();
  let key: string;
  const level = logger.level;

  beforeAll(async () => { key = (await t.workspace()).adminKey; });
  afterEach(() => { logger.level = level; jest.restoreAllMocks(); });

  async function post(headers: Record<string, string>, query = 'query Me { viewer { role } }'): Promise<Response> {
    return await fetch(t.app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  }

  it('echoes the client request id, makes one otherwise, also on refused requests', async () => {
    expect((await post({ authorization: `Bearer ${key}`, 'x-request-id': 'req-123' })).headers.get('x-request-id')).toBe('req-123');
    expect((await post({ authorization: `Bearer ${key}` })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await post({ authorization: 'Bearer nope', 'x-request-id': 'req-456' });
    expect(refused.headers.get('x-request-id')).toBe('req-456');
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('logs one info line per operation with the request id when info is on, and makes no child logger when it is off', async () => {
    const info = jest.fn();
    const child = jest.spyOn(logger, 'child').mockReturnValue({ info } as never);
    logger.level = 'warn';
    await post({ authorization: `Bearer ${key}`, 'x-request-id': 'quiet' });
    expect(child).not.toHaveBeenCalled();

    logger.level = 'info';
    const res = await post({ authorization: `Bearer ${key}`, 'x-request-id': 'loud' });
    expect(res.status).toBe(200);
    expect(child).toHaveBeenCalledWith({ requestId: 'loud' });
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0][0]).toMatchObject({ operation: 'Me', ms: expect.any(Number) });
    expect(info.mock.calls[0][1]).toBe('graphql request');
  });

  it('logs the code each client got, not INTERNAL_SERVER_ERROR for every refusal', async () => {
    const ws = await t.workspace('Logged');
    const { clusters } = await t.ok('{ clusters { id } }', {}, ws.keys.OPS);
    const outcome = `mutation { createOutcome(input: { clusterId: "${clusters[0].id}", name: "Logged" }) { id } }`;
    await t.ok(outcome, {}, ws.keys.OPS);
    const info = jest.fn();
    jest.spyOn(logger, 'child').mockReturnValue({ info } as never);
    logger.level = 'info';
    const cases: Array<[string, string | undefined, string]> = [
      ['query { viewer { role } }', 'oh_not_a_key', 'UNAUTHENTICATED'],
      ['mutation { createApiKey(input: { name: "x", role: ADMIN }) { key } }', ws.keys.CSM, 'FORBIDDEN'],
      ['query { scoringRun(id: "00000000-0000-4000-8000-000000000000") { id } }', ws.keys.ANALYST, 'NOT_FOUND'],
      [outcome, ws.keys.OPS, 'CONFLICT'],
      ['query { viewer { rol } }', ws.keys.ANALYST, 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [query, k, code] of cases) {
      info.mockClear();
      const res = await post(k ? { authorization: `Bearer ${k}` } : {}, query);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe(code);
      expect(info).toHaveBeenCalledTimes(1);
      expect(info.mock.calls[0][0].errors).toEqual([code]);
    }
  });
});
