/**
 * The JSON body middleware (src/shared/json-body.ts): its fast path and express.json() behind it answer like
 * express.json() alone did — bodies parsed, bad ones refused with 400, compressed ones inflated, wrong charsets 415,
 * oversized 413.
 */
import { gzipSync } from 'node:zlib';
import { useTestServer } from './support/harness';

describe('JSON request bodies', () => {
  const t = useTestServer();
  let key: string;
  beforeAll(async () => { key = (await t.workspace()).adminKey; });

  async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(t.app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body });
    return { status: res.status, text: await res.text() };
  }
  const query = JSON.stringify({ query: '{ viewer { role } }' });

  it('parses plain, charset-labelled, BOM-prefixed and whitespace-prefixed bodies', async () => {
    for (const [body, headers] of [
      [query, {}], [query, { 'content-type': 'application/json; charset=utf-8' }], [query, { 'content-type': 'Application/JSON' }],
      ['\ufeff' + query, {}], [`  \n${query}`, {}], [Buffer.from(query), { 'content-type': 'application/json; charset=UTF-8' }],
    ] as Array<[string | Buffer, Record<string, string>]>) {
      const res = await post(body, headers);
      expect([res.status, res.text]).toEqual([200, expect.stringContaining('"role":"ADMIN"')]);
    }
  });

  it('refuses malformed JSON and non-object bodies with 400', async () => {
    for (const body of ['{"query": ', '"{ viewer { role } }"', '42', 'null', 'query=x']) {
      expect((await post(body)).status).toBe(400);
    }
  });

  it('leaves compressed bodies, other charsets and oversized bodies to express.json()', async () => {
    const gz = await post(gzipSync(query), { 'content-encoding': 'gzip' });
    expect([gz.status, gz.text]).toEqual([200, expect.stringContaining('"role":"ADMIN"')]);
    expect((await post(query, { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect((await post(JSON.stringify({ query: '{ viewer { role } }', pad: 'x'.repeat(11 * 1024 * 1024) }))).status).toBe(413);
  });
});
