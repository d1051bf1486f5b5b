/**
 * The GraphQL IDE works offline, in a real browser: headless Chromium opens `/`, follows the link to
 * the IDE, which loads from this server alone (every request elsewhere is refused and recorded), opens
 * with the key's Authorization header prefilled, and runs its first query with it.
 *
 * Needs Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH). Without it the tests are skipped with a
 * message, except where REQUIRE_CHROMIUM=1 (CI installs Chromium and sets it), where they fail.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startApp, type RunningApp } from '../src/app';
import { useTestServer } from './support/harness';

const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const required = process.env.REQUIRE_CHROMIUM === '1';
if (!executablePath && !required) {
  // eslint-disable-next-line no-console
  console.warn('test/ide.test.ts skipped: Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH); CI runs it.');
}
const describeWithBrowser = executablePath || required ? describe : describe.skip;

describeWithBrowser('GraphQL IDE in headless Chromium', () => {
  const t = useTestServer();
  let app: RunningApp;
  let browser: Browser;
  let key: string;
  let base: string;

  beforeAll(async () => {
    if (!executablePath) throw new Error('REQUIRE_CHROMIUM=1 but no Chromium found: apt-get install -y chromium');
    key = (await t.workspace('IDE workspace')).adminKey;
    // A server of its own, configured as `npm start` configures it: the IDE opens with a key.
    app = await startApp({ db: t.db, port: 0, host: '127.0.0.1', introspection: true, ide: { headers: () => ({ Authorization: `Bearer ${key}` }) } });
    base = `http://127.0.0.1:${app.port}`;
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  t.cleanup(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('loads from this server alone, with the key prefilled, and runs a query', async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base || url.protocol === 'data:' || url.protocol === 'blob:') return await route.continue();
      elsewhere.push(url.href);
      await route.abort();
    });

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'GraphQL IDE' }).click();
    await page.waitForURL(`${base}/ide/`);

    // The IDE's first query (Viewer), sent with Ctrl+Enter once the editor is there.
    const editor = page.locator('.cm-content').first();
    await editor.waitFor({ timeout: 30_000 });
    const answered = page.waitForResponse((r) => r.url() === `${base}/graphql` && /"operationName":"Viewer"|query Viewer/.test(r.request().postData() ?? ''));
    await editor.click();
    await page.keyboard.press('Control+Enter');
    const response = await answered;
    expect(response.request().headers().authorization).toBe(`Bearer ${key}`);
    expect(await response.json()).toEqual({ data: { viewer: { role: 'ADMIN', workspace: { name: 'IDE workspace', redBelow: 40, yellowBelow: 70 } } } });
    // … and the answer is on the page.
    await page.getByText('IDE workspace').first().waitFor();

    expect(elsewhere).toEqual([]);
    await page.close();
  }, 60_000);

  it('sends a browser that opens /graphql to the IDE; clients still reach the API', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/graphql`);
    expect(page.url()).toBe(`${base}/ide/`);
    await page.close();
    // Clients' requests still reach the API.
    const res = await fetch(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    const html = await (await fetch(`${base}/ide/`)).text();
    expect(html).toContain(`Bearer ${key}`); // fetch from 127.0.0.1
  });
});
