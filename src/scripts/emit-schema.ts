/**
 * `npm run schema:emit` writes schema/schema.graphql and schema/model.schema.json (the model document's JSON Schema);
 * `npm run schema:check` fails when either differs from the code.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { getSchema } from '../schema';
import { modelJsonSchema } from '../model/model.json-schema';

const DIR = path.join(__dirname, '..', '..', 'schema');

async function main(): Promise<void> {
  const files = {
    'schema.graphql': `# Generated from the code by \`npm run schema:emit\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(await getSchema()))}\n`,
    'model.schema.json': `${JSON.stringify(await modelJsonSchema(), null, 2)}\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(DIR, name);
    if (process.argv.includes('--check')) {
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (committed !== text) {
        process.stderr.write(`schema/${name} does not match the code. Run \`npm run schema:emit\` and commit the result.\n`);
        process.exit(1);
      }
      process.stdout.write(`schema/${name} matches the code.\n`);
    } else {
      fs.writeFileSync(file, text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
  }
}

main().catch((err) => { process.stderr.write(String(err?.stack ?? err) + '\n'); process.exit(1); });
