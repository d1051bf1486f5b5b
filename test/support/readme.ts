/**
 * The README's code blocks, with the directives that say how the suite runs them (README "How this
 * README is tested"). A directive is an HTML comment on the line before a block, invisible on GitHub:
 *
 *   <!-- readme-test: walkthrough-start -->          the ```sh block that creates the walkthrough's workspace
 *   <!-- readme-test: walkthrough -->                 run, in README order, in that fresh workspace
 *   <!-- readme-test: walkthrough; keep clusterId = createCluster.id, keyId = createApiKey.apiKey.id -->
 *                                                     … and remember values of the answer for later `$variables`
 *   <!-- readme-test: demo -->                        run against the demo workspace (default for a query)
 *   <!-- readme-test: validate-only -->               only validated against the schema (default for a mutation
 *                                                     or subscription without a directive)
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';

export type BlockMode = 'walkthrough' | 'demo' | 'validate-only';

export interface ReadmeOperation {
  /** The operation's name (blocks with several operations must name each one). */
  name: string | undefined;
  kind: 'query' | 'mutation' | 'subscription';
  /** Variables the operation declares. */
  variables: string[];
  /** Those without a default that may not be null. */
  required: string[];
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  source: string;
  mode: BlockMode;
  /** Variable name → path into an answer's data (`createCluster.id`, `defineJourney.stages[0].milestones[0].id`). */
  keep: Record<string, string>;
  operations: ReadmeOperation[];
}

export const README_PATH = path.join(__dirname, '..', '..', 'README.md');

const FENCE = /^```(\w*)\s*$/;
const DIRECTIVE = /^<!--\s*readme-test:\s*(.*?)\s*-->\s*$/;

export function readReadme(text = fs.readFileSync(README_PATH, 'utf8')): { blocks: ReadmeBlock[]; walkthroughStart: { line: number; command: string } | null } {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  let walkthroughStart: { line: number; command: string } | null = null;
  let directive: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const d = DIRECTIVE.exec(lines[i]);
    if (d) { directive = d[1]; continue; }
    const fence = FENCE.exec(lines[i]);
    if (!fence || !fence[1]) { if (lines[i].trim()) directive = null; continue; }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const source = body.join('\n').trim();
    const [head, ...options] = (directive ?? '').split(';').map((s) => s.trim());
    directive = null;
    if (head === 'walkthrough-start') {
      if (fence[1] !== 'sh') throw new Error(`README line ${start + 1}: walkthrough-start must mark a sh block`);
      walkthroughStart = { line: start + 1, command: source };
      continue;
    }
    if (fence[1] !== 'graphql') continue;
    const document = parse(source);
    const operations = document.definitions
      .filter((def): def is OperationDefinitionNode => def.kind === Kind.OPERATION_DEFINITION)
      .map((op) => ({
        name: op.name?.value,
        kind: op.operation,
        variables: (op.variableDefinitions ?? []).map((v) => v.variable.name.value),
        required: (op.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value),
      }));
    const keep: Record<string, string> = {};
    for (const option of options) {
      const m = /^keep\s+(.*)$/.exec(option);
      if (!m) throw new Error(`README line ${start + 1}: unknown readme-test option "${option}"`);
      for (const pair of m[1].split(',')) {
        const [name, from] = pair.split('=').map((s) => s.trim());
        if (!name || !from) throw new Error(`README line ${start + 1}: "keep" wants name = path, got "${pair}"`);
        keep[name] = from;
      }
    }
    let mode: BlockMode;
    if (head === 'walkthrough' || head === 'demo' || head === 'validate-only') mode = head;
    else if (head) throw new Error(`README line ${start + 1}: unknown readme-test directive "${head}"`);
    else mode = operations.every((op) => op.kind === 'query') ? 'demo' : 'validate-only';
    blocks.push({ line: start + 1, source, mode, keep, operations });
  }
  return { blocks, walkthroughStart };
}

/** `a.b[0].c` of a value; undefined when any step is missing. */
export function pick(value: unknown, dotted: string): unknown {
  let v: any = value;
  for (const step of dotted.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (v == null) return undefined;
    v = v[step];
  }
  return v;
}
