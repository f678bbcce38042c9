/** Composes the supergraph from the committed subgraph SDL files with @apollo/composition. */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPHS } from './subgraphs.ts';

/** Path of the committed supergraph. */
export const SUPERGRAPH_FILE = new URL('../../schema/supergraph.graphql', import.meta.url);

/** Composes and returns the supergraph SDL; throws with every composition error listed. */
export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPHS.map((s) => ({
      name: s.name,
      url: `http://127.0.0.1:${s.defaultPort}/`,
      typeDefs: parse(readFileSync(new URL(`../../schema/${s.name}.graphql`, import.meta.url), 'utf8')),
    })),
  );
  if (result.errors && result.errors.length > 0) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`);
  }
  return `${(result.supergraphSdl ?? '').trimEnd()}\n`;
}
