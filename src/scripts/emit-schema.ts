/** `npm run schema:emit` writes schema/schema.graphql; `npm run schema:check` fails when it differs from the code. */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { getSchema } from '../schema';

const FILE = path.join(__dirname, '..', '..', 'schema', 'schema.graphql');

async function main(): Promise<void> {
  const sdl = `# Generated from the code by \`npm run schema:emit\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(await getSchema()))}\n`;
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
    if (committed !== sdl) {
      process.stderr.write('schema/schema.graphql does not match the code. Run `npm run schema:emit` and commit the result.\n');
      process.exit(1);
    }
    process.stdout.write('schema/schema.graphql matches the code.\n');
    return;
  }
  fs.writeFileSync(FILE, sdl);
  process.stdout.write(`wrote ${path.relative(process.cwd(), FILE)}\n`);
}

main().catch((err) => { process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
