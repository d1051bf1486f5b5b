/**
 * PostGraphile 5 (Amber preset) over the bench database's `pgl` schema (views over the same data as
 * our API; see bench/api-seed.ts), for `npm run bench:api`. Env: DATABASE_URL, PORT.
 * Needs Promise.withResolvers on Node 20: started with NODE_OPTIONS=--require ./bench/postgraphile/promise-with-resolvers.cjs.
 * PostGraphile is installed into bench/postgraphile/node_modules by bench/api.ts on first use (its own package.json).
 */
const http = require('node:http');
const { postgraphile } = require('postgraphile');
const { PostGraphileAmberPreset } = require('postgraphile/presets/amber');
const { makePgService } = require('postgraphile/adaptors/pg');
const { grafserv } = require('postgraphile/grafserv/node');

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['pgl'], poolConfig: { max: 20 } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
  schema: { pgForbidSetofFunctionsToReturnNull: false },
};

async function main() {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  await serv.addTo(server);
  await new Promise((resolve) => server.listen(Number(process.env.PORT), '127.0.0.1', resolve));
  process.stdout.write(`postgraphile ready on ${process.env.PORT}\n`);
  const stop = () => { server.close(); pgl.release().finally(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
main().catch((err) => { console.error(err); process.exit(1); });
