/** The list of subgraphs in the graph, with the ports `npm start` gives them by default. */

/** One subgraph of the supergraph. */
export interface SubgraphEntry {
  /** Name, SDL file `schema/<name>.graphql`, folder `subgraphs/<name>/`. */
  name: string;
  /** Default port under `npm start`; the gateway is told the real URLs at start-up. */
  defaultPort: number;
}

/** Every subgraph, in composition order. */
export const SUBGRAPHS: readonly SubgraphEntry[] = [
  { name: 'population', defaultPort: 4001 },
  { name: 'medicalInsurance', defaultPort: 4002 },
  { name: 'supervision', defaultPort: 4003 },
  { name: 'housingFund', defaultPort: 4004 },
  { name: 'marketRegulation', defaultPort: 4005 },
  { name: 'parking', defaultPort: 4006 },
  { name: 'services', defaultPort: 4007 },
  { name: 'citycode', defaultPort: 4008 },
  { name: 'documents', defaultPort: 4009 },
];
