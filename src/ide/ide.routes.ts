/**
 * What a browser sees: a short page at `/` that says where things are, and the Altair GraphQL IDE at
 * `/ide/`, served from the `altair-static` npm package, so it works without internet (nothing comes
 * from a CDN). A browser opening `/graphql` is sent to the IDE; clients' GET/POST requests are not.
 */
import { getDistDirectory, renderAltair } from 'altair-static';
import express, { type Express, type Request } from 'express';

export interface IdeOptions {
  /** Headers the IDE starts with for a browser on this machine (the demo key in development); read per page load. */
  headers?: () => Record<string, string> | undefined;
}

export const IDE_PATH = '/ide/';

/** The query the IDE opens with: answers with any key, and shows whose key it is. */
const FIRST_QUERY = `# Outcome Health. Send with Ctrl+Enter; the Docs pane lists every type and field.
query Viewer {
  viewer { role workspace { name redBelow yellowBelow } }
}
`;

export function mountIde(app: Express, opts: IdeOptions = {}): void {
  app.get('/', (req, res) => { res.type('html').send(landingPage(req)); });
  // A person typing the API's URL into a browser wants the IDE (Apollo's own landing page would load from a CDN).
  app.get('/graphql', (req, res, next) => {
    if (req.accepts(['json', 'html']) === 'html' && !req.query.query) return res.redirect(IDE_PATH);
    next();
  });
  app.get(['/ide', IDE_PATH], (req, res) => {
    if (!req.path.endsWith('/')) return res.redirect(IDE_PATH); // the page's relative asset URLs need the slash
    res.type('html').send(renderAltair({
      baseURL: IDE_PATH,
      endpointURL: '/graphql',
      subscriptionsEndpoint: `ws://${hostOf(req)}/graphql`,
      initialSubscriptionRequestHandlerId: 'graphql-ws',
      // Only for a browser on this machine: a key in a page must not reach others on the network.
      initialHeaders: (isLoopback(req) && opts.headers?.()) || {},
      initialQuery: FIRST_QUERY,
      initialName: 'Outcome Health',
      disableAccount: true,
    }));
  });
  app.use(IDE_PATH, express.static(getDistDirectory(), { index: false, maxAge: '1d' }));
}

function isLoopback(req: Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function hostOf(req: Request): string {
  return (req.headers.host ?? 'localhost').replace(/[^\w.:[\]-]/g, '');
}

function landingPage(req: Request): string {
  const host = hostOf(req);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outcome Health API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .25em}</style>
</head><body>
<h1>Outcome Health API</h1>
<p>Customer health per desired outcome and success journey, over GraphQL.</p>
<ul>
<li><a href="${IDE_PATH}">GraphQL IDE</a> (Altair, served locally): explore the schema and run queries.</li>
<li>GraphQL endpoint: <code>POST http://${host}/graphql</code> with <code>Authorization: Bearer &lt;API key&gt;</code>;
subscriptions (graphql-ws) on <code>ws://${host}/graphql</code>.</li>
<li>Liveness <a href="/health"><code>/health</code></a>, readiness <a href="/ready"><code>/ready</code></a>.</li>
<li>The demo workspace's ADMIN key is printed by <code>npm start</code> and saved in <code>.data/demo-admin-key</code>;
a new workspace comes from <code>npm run workspace:create -- --name "Acme"</code>.</li>
<li>In the repository: <code>README.md</code> (a walkthrough), <code>docs/scoring.md</code> (how scores are computed),
<code>schema/schema.graphql</code> (the schema).</li>
</ul>
</body></html>
`;
}
