/**
 * Rules for the test files themselves, each one a flake that happened.
 *
 * jest-circus runs afterAll hooks in declaration order, so a file's own afterAll runs *after* the harness's
 * (useTestServer() is declared first): by then the server is stopped and the database dropped WITH (FORCE).
 * A job worker or second instance stopped there may have a query in flight that the drop kills; test/webhooks.test.ts
 * failed 1 run in 7 under load that way. Anything a file starts must be stopped through `t.cleanup(…)`, which runs
 * before the harness tears down.
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = __dirname;
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== path.basename(__filename));

/** The body of every `afterAll(` call in a file, by matching its parentheses. */
function afterAllBodies(text: string): string[] {
  const bodies: string[] = [];
  for (let i = text.indexOf('afterAll('); i >= 0; i = text.indexOf('afterAll(', i + 1)) {
    let depth = 0;
    let j = i + 'afterAll'.length;
    for (; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) break;
    }
    bodies.push(text.slice(i, j + 1));
  }
  return bodies;
}

describe('test files', () => {
  it('found the test files', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain('webhooks.test.ts');
  });

  it.each(files.filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes('useTestServer()')))(
    '%s stops what it started through t.cleanup, not in an afterAll that runs after the database is dropped', (file) => {
      const offending = afterAllBodies(fs.readFileSync(path.join(dir, file), 'utf8')).filter((b) => /\.(stop|close|destroy|end)\(/.test(b));
      expect(offending).toEqual([]);
    });

  it('the rule catches the pattern it is written for', () => {
    const bad = `const t = useTestServer();\nafterAll(async () => { await jobs?.stop(); });`;
    expect(afterAllBodies(bad).filter((b) => /\.(stop|close|destroy|end)\(/.test(b))).toHaveLength(1);
  });
});
