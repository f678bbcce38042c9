/**
 * `npm run -s bench:literals`: the CPU of the gateway's literal-arguments rewrite (gateway/literals.ts) on
 * bench:peers' dashboard query, each call a different citizen of 200, against what it saves per new
 * text: Apollo's parse and validation and the gateway's query plan. `process.cpuUsage` over 20,000
 * rewrites after 20,000 of warm-up, three rounds; the plans over 200 texts after 50. Prints figures, asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import federation from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse, specifiedRules, validate } from 'graphql';
import { literalsAsVariables } from '../gateway/literals.ts';
import { ROOT } from '../scripts/lib/processes.ts';

const supergraph = federation.Supergraph.build(readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8'));
const schema = supergraph.apiSchema().toGraphQLJSSchema();
const dashboard = (id: string) =>
  `{ citizen(id: "${id}") { name gender birthDate address { divisionCode } insurance { status balance } housingFund { balance status } representedEnterprises { uscc name } vehicles { plate } applications { caseNumber state } } }`;
const ids = Array.from({ length: 200 }, (_, i) => `2101021985${String(i).padStart(7, '0')}X`);
// Admission hands the rewrite a document it has parsed already.
const documents = ids.map((id) => parse(dashboard(id)));

/** µs of CPU per call of `f` over `n` calls. */
function cpu(n: number, f: (i: number) => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const rewrite = (i: number) => literalsAsVariables(schema, documents[i % documents.length]!, null);
cpu(20_000, rewrite);
const rounds = [0, 1, 2].map(() => cpu(20_000, rewrite));
const planner = new QueryPlanner(supergraph);
const newText = (i: number) => {
  const document = parse(dashboard(ids[i % ids.length]!));
  validate(schema, document, specifiedRules);
  planner.buildQueryPlan(federation.operationFromDocument(supergraph.apiSchema(), document));
};
cpu(50, newText);
const perText = cpu(ids.length, newText);
console.log(`rewrite: ${rounds.map((r) => r.toFixed(1)).join(', ')} µs a request (3 rounds of 20,000)`);
console.log(`what a new text costs Apollo without it (parse, validation, query plan): ${perText.toFixed(0)} µs (${ids.length} texts)`);
