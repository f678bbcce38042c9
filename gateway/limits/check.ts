/**
 * Checks one operation against the caller's limits and the API schema before any subgraph is called:
 * size, tokens (graphql-js parse's own guard), depth, aliases and directives (graphql-armor's rules,
 * `__typename` aliases counted), root fields, field repetition and a cost with list sizes (rules.ts),
 * the operation name, and the graph's own validation. Every refusal is a 4xx with a code.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  GraphQLError,
  isSpecifiedScalarType,
  Kind,
  parse,
  specifiedRules,
  TokenKind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  BREAK,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type Token,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../../core/errors.ts';
import { HttpRefusal } from '../../core/graphql-http.ts';
import type { OperationLimits } from './options.ts';
import { countRootFields, estimateCost, maxFieldRepeats, WalkBudgetExceeded } from './rules.ts';

/** What the request asks. */
export interface OperationInput {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** A checked operation. */
export interface CheckedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** True when the operation reads `__schema` or `__type` (aliases and fragments included). */
  introspection: boolean;
}

/** Options of checkOperation. */
export interface CheckOptions {
  /** Show field suggestions and schema names in validation messages (admin, development). Default false. */
  schemaDetails?: boolean;
}

function limitExceeded(limit: keyof OperationLimits | 'queryBytes', max: number, found: number | string, what: string): HttpRefusal {
  return new HttpRefusal(400, ErrorCode.LIMIT_EXCEEDED, `The operation has ${found} ${what}; at most ${max} are allowed.`, {}, { limit, max, found });
}

/** What does not depend on the variables: parsed, measured and validated once per text, limits and schema. */
interface Analysis {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  introspection: boolean;
}

/** Analyses (or refusals) by schema, then by text + operation name + limits; a bounded, oldest-out cache. */
const analyses = new WeakMap<GraphQLSchema, Map<string, Analysis | HttpRefusal>>();
const CACHE_SIZE = 500;
/**
 * Texts known valid by their shape: the same key with every string literal cut out. Two texts of one
 * shape differ only in string values, each in a String or ID position, which accept any string: the
 * second is parsed (for its own values) but neither validated nor measured again. A shape keeps one
 * boolean, not a document, so a dashboard asked for 10,000 citizens costs one validation and no memory
 * per citizen (the texts themselves stay in `analyses`, oldest out).
 */
const shapes = new WeakMap<GraphQLSchema, Map<string, { introspection: boolean }>>();
const SHAPE_CACHE_SIZE = 2000;
const limitIds = new WeakMap<OperationLimits, number>();
let nextLimitId = 0;

/**
 * Checks `input`; throws an HttpRefusal (400) for the first limit it breaks or a validation failure.
 * The same text under the same limits is analysed once: apps repeat their operations, and an abusive
 * one sent again is refused without being parsed again. A text that differs from a valid one only in
 * string values (a citizen's id written inline) is parsed but not validated again. Only the cost,
 * which reads the variables, is computed each time.
 */
export function checkOperation(schema: GraphQLSchema, input: OperationInput, limits: OperationLimits, options: CheckOptions = {}): CheckedOperation {
  let byText = analyses.get(schema);
  if (!byText) analyses.set(schema, (byText = new Map()));
  let byShape = shapes.get(schema);
  if (!byShape) shapes.set(schema, (byShape = new Map()));
  let limitId = limitIds.get(limits);
  if (limitId === undefined) limitIds.set(limits, (limitId = nextLimitId++));
  const prefix = `${limitId}\u0000${options.schemaDetails ? 1 : 0}\u0000${input.operationName ?? ''}\u0000`;
  const key = `${prefix}${input.query}`;
  let analysis = byText.get(key);
  if (!analysis) {
    try {
      const document = parseQuery(input, limits);
      const cut = stringsCut(document);
      const shape = cut === null ? undefined : byShape.get(prefix + cut);
      if (shape) analysis = { ...operationOf(document, input.operationName), introspection: shape.introspection };
      else {
        analysis = analyse(schema, document, input, limits, options);
        if (cut !== null && stringsAcceptAnyValue(schema, document)) {
          if (byShape.size >= SHAPE_CACHE_SIZE) byShape.delete(byShape.keys().next().value!);
          byShape.set(prefix + cut, { introspection: analysis.introspection });
        }
      }
    } catch (e) {
      if (!(e instanceof HttpRefusal)) throw e;
      analysis = e;
    }
    if (byText.size >= CACHE_SIZE) byText.delete(byText.keys().next().value!);
    byText.set(key, analysis);
  }
  if (analysis instanceof HttpRefusal) throw analysis;
  try {
    const cost = estimateCost(schema, analysis.operation, analysis.fragments, input.variables ?? {}, limits.defaultListSize);
    if (cost > limits.maxCost) throw limitExceeded('maxCost', limits.maxCost, cost, 'cost points (1 a field, times list sizes)');
  } catch (e) {
    if (e instanceof WalkBudgetExceeded) throw limitExceeded('maxCost', limits.maxCost, 'too many', 'fields once fragments are expanded');
    throw e;
  }
  return { document: analysis.document, operation: analysis.operation, introspection: analysis.introspection };
}

/** Size, then parse with the token limit (graphql-js's own guard); refusals for both. */
function parseQuery(input: OperationInput, limits: OperationLimits): DocumentNode {
  const bytes = Buffer.byteLength(input.query, 'utf8');
  if (bytes > limits.maxQueryBytes) throw limitExceeded('maxQueryBytes', limits.maxQueryBytes, bytes, 'bytes of query text');
  try {
    return parse(input.query, { maxTokens: limits.maxTokens, noLocation: false });
  } catch (e) {
    const message = e instanceof GraphQLError ? e.message : 'The query could not be parsed.';
    if (/more tha[nt] \d+ tokens/.test(message)) throw limitExceeded('maxTokens', limits.maxTokens, `more than ${limits.maxTokens}`, 'tokens');
    throw new HttpRefusal(400, 'GRAPHQL_PARSE_FAILED', message);
  }
}

/**
 * The text with each string literal cut out (a NUL, which no GraphQL text holds outside a string, and
 * the kind, so `"a"` and a block string differ); null when the text has none. Everything else stays
 * byte for byte: names, numbers, enum values, comments and spacing.
 */
function stringsCut(document: DocumentNode): string | null {
  const loc = document.loc;
  if (!loc) return null;
  const body = loc.source.body;
  let cut = '';
  let at = 0;
  for (let t: Token | null = loc.startToken; t !== null; t = t.next) {
    if (t.kind !== TokenKind.STRING && t.kind !== TokenKind.BLOCK_STRING) continue;
    cut += `${body.slice(at, t.start)}\u0000${t.kind === TokenKind.STRING ? 's' : 'b'}`;
    at = t.end;
  }
  return at === 0 ? null : cut + body.slice(at);
}

/** True when every string literal of the (valid) document stands where String or ID is expected: any string passes there. */
function stringsAcceptAnyValue(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let any = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      StringValue() {
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named && isSpecifiedScalarType(named) && (named.name === 'String' || named.name === 'ID')) return;
        any = false;
        return BREAK;
      },
    }),
  );
  return any;
}

/** The operation to run and the fragments of a parsed document; OPERATION_NAME_UNKNOWN when there is no one operation to run. */
function operationOf(document: DocumentNode, operationName: string | null | undefined): Omit<Analysis, 'introspection'> {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) {
    throw new HttpRefusal(
      400,
      ErrorCode.OPERATION_NAME_UNKNOWN,
      operationName
        ? `The document has no operation named "${operationName}".`
        : operations.length === 0
          ? 'The document has no operation.'
          : 'The document has several operations: name the one to run in "operationName".',
    );
  }
  return { document, operation, fragments };
}

function analyse(schema: GraphQLSchema, document: DocumentNode, input: OperationInput, limits: OperationLimits, options: CheckOptions): Analysis {
  const { operation, fragments } = operationOf(document, input.operationName);

  let breach: HttpRefusal | undefined;
  const onReject = (limit: keyof OperationLimits, max: number, what: string) => [
    (_ctx: unknown, err: GraphQLError) => {
      const found = Number(/found (\d+)/.exec(err.message)?.[1]) || undefined;
      breach ??= limitExceeded(limit, max, found ?? `more than ${max}`, what);
    },
  ];
  const rules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth, onReject: onReject('maxDepth', limits.maxDepth, 'levels of nesting'), propagateOnRejection: false }) as ValidationRule,
    maxAliasesRule({ n: limits.maxAliases, allowList: [], onReject: onReject('maxAliases', limits.maxAliases, 'aliases'), propagateOnRejection: false }) as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, onReject: onReject('maxDirectives', limits.maxDirectives, 'directives'), propagateOnRejection: false }) as ValidationRule,
  ];
  // Limits first, on their own: the graph's validation of a huge operation is itself work to refuse.
  validate(schema, document, rules);
  if (breach) throw breach;
  try {
    const roots = countRootFields(operation, fragments);
    if (roots > limits.maxRootFields) throw limitExceeded('maxRootFields', limits.maxRootFields, roots, 'root fields');
    const repeats = maxFieldRepeats(operation, fragments);
    if (repeats > limits.maxFieldRepeats) throw limitExceeded('maxFieldRepeats', limits.maxFieldRepeats, repeats, 'repetitions of one field in a selection');
  } catch (e) {
    if (e instanceof WalkBudgetExceeded) throw limitExceeded('maxCost', limits.maxCost, 'too many', 'fields once fragments are expanded');
    throw e;
  }

  const errors = validate(schema, document, specifiedRules, { maxErrors: 10 });
  if (errors.length > 0) {
    const detail = errors.map((e) => (options.schemaDetails ? e.message : hideSchema(e.message, input.query)));
    throw new HttpRefusal(400, 'GRAPHQL_VALIDATION_FAILED', detail.join(' '), {}, { problems: errors.length });
  }

  return { document, operation, fragments, introspection: readsIntrospection(operation, fragments) };
}

/**
 * Drops what a validation message says of the schema beyond the query: suggestions ("Did you mean…")
 * and names the client did not write (types, other fields).
 */
export function hideSchema(message: string, query: string): string {
  return message
    .replace(/\s*Did you mean [^?]*\?/g, '')
    .replace(/"([_A-Za-z][_0-9A-Za-z]*)"/g, (whole, name: string) => (query.includes(name) ? whole : '(hidden)'));
}

function readsIntrospection(op: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): boolean {
  const seen = new Set<string>();
  const walk = (set: OperationDefinitionNode['selectionSet']): boolean =>
    set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === '__schema' || sel.name.value === '__type' || (sel.selectionSet ? walk(sel.selectionSet) : false);
      if (sel.kind === Kind.INLINE_FRAGMENT) return walk(sel.selectionSet);
      if (seen.has(sel.name.value)) return false;
      seen.add(sel.name.value);
      const f = fragments[sel.name.value];
      return f ? walk(f.selectionSet) : false;
    });
  return walk(op.selectionSet);
}
