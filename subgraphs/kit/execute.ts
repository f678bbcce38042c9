/**
 * How a subgraph executes one request: graphql-js's `execute` over documents parsed and validated once
 * per text, instead of Apollo Server's request pipeline. Written by hand (about a hundred lines) because
 * a subgraph only ever answers the gateway's plans, and Apollo's pipeline around them (a SHA-256 of
 * every text, a copy of the context, content negotiation, a promise per hook of every plugin) cost
 * 54–71 µs of CPU a call against 23 µs for the same execution here (docs/BENCHMARKS.md); a dashboard
 * makes six. What a client sees is kept: the same status codes (400 for a body, text or document that is
 * not a GraphQL request, 401 and the like from the context, 200 for an executed one, variables that fail
 * their types included, as BAD_USER_INPUT), the same error format, and `cache-control: no-store` on
 * every answer. Introspection is off (Apollo Server had it on outside production): the gateway reads a
 * subgraph's schema from `_service { sdl }`, and nothing else may call a subgraph.
 */
import {
  execute,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { ErrorCode } from '../../core/errors.ts';
import type { GraphQLAnswer, GraphQLEngine } from '../../core/graphql-http.ts';

/** Options of a subgraph's engine. */
export interface SubgraphEngineOptions<TContext> {
  /** The department's executable schema (rules applied). */
  schema: GraphQLSchema;
  /** Formats each error of an answer from graphql-js's own format and the error (no stack, no internals). */
  formatError: (formatted: GraphQLFormattedError, error: GraphQLError) => GraphQLFormattedError;
  /** Runs after execution, before the answer leaves (access records are written there); may replace the result. */
  beforeAnswer?: (context: TContext, result: ExecutionResult) => Promise<ExecutionResult>;
  /** Introspection allowed. Default false: only the gateway calls a subgraph, and it reads `_service { sdl }`. */
  introspection?: boolean;
  /** Documents kept parsed and validated, by text; the oldest goes first. Default 1,000. */
  maxDocuments?: number;
}

const HEADERS: Array<[string, string]> = [
  ['content-type', 'application/json; charset=utf-8'],
  // Personal data is never cacheable (no field has a cache hint).
  ['cache-control', 'no-store'],
];

/** Creates the engine `serveGraphQL` runs a subgraph's requests with. */
export function createSubgraphEngine<TContext>(options: SubgraphEngineOptions<TContext>): GraphQLEngine<TContext> {
  const { schema, formatError } = options;
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const max = options.maxDocuments ?? 1000;
  const documents = new Map<string, DocumentNode>();

  const answer = (status: number, result: ExecutionResult): GraphQLAnswer => {
    const out: Record<string, unknown> = {};
    if (result.errors?.length) out.errors = result.errors.map((e) => formatError(e.toJSON(), e));
    if ('data' in result) out.data = result.data;
    if (result.extensions) out.extensions = result.extensions;
    return { status, headers: HEADERS, body: JSON.stringify(out) };
  };
  const refuse = (status: number, code: string, message: string): GraphQLAnswer => answer(status, { errors: [new GraphQLError(message, { extensions: { code } })] });

  return {
    async execute(body, makeContext) {
      const { query, variables, operationName } = body;
      if (typeof query !== 'string' || query === '') return refuse(400, ErrorCode.BAD_REQUEST, 'A GraphQL request needs a non-empty "query" string.');
      if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return refuse(400, ErrorCode.BAD_REQUEST, '"variables" must be an object.');
      if (operationName != null && typeof operationName !== 'string') return refuse(400, ErrorCode.BAD_REQUEST, '"operationName" must be a string.');
      // Who is asking comes first: nothing is parsed for a caller who is refused.
      let context: TContext;
      try {
        context = await makeContext();
      } catch (e) {
        if (!(e instanceof GraphQLError)) throw e;
        const wanted = (e.extensions?.http as { status?: unknown } | undefined)?.status;
        const status = Number.isInteger(wanted) && (wanted as number) >= 400 && (wanted as number) <= 599 ? (wanted as number) : 500;
        return answer(status, { errors: [new GraphQLError(e.message, { extensions: { code: e.extensions.code } })] });
      }
      let document = documents.get(query);
      if (!document) {
        try {
          document = parse(query);
        } catch (e) {
          return refuse(400, 'GRAPHQL_PARSE_FAILED', e instanceof GraphQLError ? e.message : 'The query is not valid GraphQL.');
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) return answer(400, { errors: invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
        if (documents.size >= max) documents.delete(documents.keys().next().value!);
        documents.set(query, document);
      }
      let result = await execute({ schema, document, variableValues: variables as Record<string, unknown> | undefined, operationName: operationName as string | undefined, contextValue: context });
      if (!('data' in result) && result.errors) {
        // Variables that fail their types stop execution before it starts: the caller's mistake, answered
        // 200 with BAD_USER_INPUT (the gateway would report a 400 as the department unreachable). An
        // operation that cannot be chosen (none named, or an unknown name) is not a request: 400, as Apollo.
        const errors = result.errors.map(asBadUserInput);
        if (!errors.every((e) => e.extensions.code === ErrorCode.BAD_USER_INPUT)) return answer(400, { errors });
        result = { errors };
      }
      if (options.beforeAnswer) result = await options.beforeAnswer(context, result);
      return answer(200, result);
    },
  };
}

/** A variable's coercion error as BAD_USER_INPUT (Apollo Server's test: its one node is the variable's definition); others as they are. */
function asBadUserInput(e: GraphQLError): GraphQLError {
  const node = e.nodes?.length === 1 ? e.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return e;
  const name = `Variable "$${node.variable.name.value}"`;
  if (![' got invalid value ', ' of required type ', ' of non-null type '].some((what) => e.message.startsWith(name + what))) return e;
  return new GraphQLError(e.message, { nodes: e.nodes, originalError: e.originalError, extensions: { code: ErrorCode.BAD_USER_INPUT } });
}
