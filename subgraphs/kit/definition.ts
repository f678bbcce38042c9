/** The one contract every department's subgraph exports from `subgraphs/<department>/index.ts`. */
import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { IRule } from 'graphql-shield';
import type { SubgraphContext } from './context.ts';
import type { DisclosureMap } from './disclosure.ts';
import type { PowerItem, RecordedRead } from './supervision.ts';

/** Rules by type, then by field: every field named explicitly, no type-wide shortcuts. */
export type PermissionMap = Record<string, Record<string, IRule>>;

/** A department's subgraph: its name, resolvers, access rules and per-request loaders. */
export interface SubgraphDefinition<TDeps = unknown, TLoaders = unknown> {
  /** Subgraph name; its SDL is `schema/<name>.graphql`. */
  name: string;
  /** Resolvers by type. */
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>>;
  /** One rule for every field of every type in the SDL (the kit refuses to build otherwise). */
  permissions: PermissionMap;
  /** Creates this request's DataLoaders from the department's dependencies (its adapters). */
  createLoaders: (deps: TDeps, request: { requestId: string }) => TLoaders;
  /**
   * Argument validators by type and field, run before the access rules so a malformed identifier is
   * BAD_USER_INPUT (not FORBIDDEN) and rules compare normalised values. Each returns the clean args.
   */
  validate?: Record<string, Record<string, (args: Record<string, any>) => Record<string, any>>>;
  /** The power item (行权事项) of every Mutation field; the kit refuses a mutation without one. */
  powers?: Record<string, PowerItem>;
  /**
   * The fields that disclose a citizen's or an enterprise's data (`citizenData(parentId)`), from
   * permissions.ts: each read by someone other than that person is recorded, one access record per
   * request × subject. A test walks every subgraph and fails on a personal field missing here.
   */
  disclosures?: DisclosureMap;
  /** Query fields whose every read is recorded in the supervision store (allowed or denied). */
  recordedReads?: { chain: string; fields: Record<string, RecordedRead> };
}

/** Identity helper that gives a definition its types. */
export function defineSubgraph<TDeps, TLoaders>(def: SubgraphDefinition<TDeps, TLoaders>): SubgraphDefinition<TDeps, TLoaders> {
  return def;
}
