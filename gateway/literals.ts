/**
 * Literal arguments as variables. Apollo Server caches parsed documents and Apollo Gateway caches
 * query plans by the operation's text, so `citizen(id: "…")` written inline costs a parse, a
 * validation and a plan for every citizen. After admission has checked the client's own text, each
 * field argument written as a literal becomes a variable of the argument's declared type, and its value
 * joins `variables`: the text handed to Apollo is then one text for every citizen.
 */
import {
  coerceInputValue,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isSpecifiedScalarType,
  Kind,
  print,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
  type ValueNode,
  type VariableDefinitionNode,
  type VariableNode,
} from 'graphql';

/** The prefix of the variables this rewrite adds; a client's own names starting with it move ours to `__cg<n>_`. */
export const LITERAL_VARIABLE_PREFIX = '__cg';

/** A rewritten request: the printed text and the client's variables with the literals' values added. */
export interface LiteralsAsVariables {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * What does not depend on the literals' values, for every document that differs from another only in
 * them: each literal argument's type (null: left as written) and, when every one becomes a variable,
 * the printed text.
 */
interface Shape {
  types: (GraphQLInputType | null)[];
  printed: string | null;
}

/** Shapes by schema, then by prefix + text with the literals cut out; a bounded, oldest-out cache. */
const shapes = new WeakMap<GraphQLSchema, Map<string, Shape>>();
const CACHE_SIZE = 2000;

/** Returned by `inputValue` for a literal this rewrite leaves as it is. */
const KEEP = Symbol('keep');

/**
 * Rewrites `document` (parsed with locations, already validated against `schema`) with each literal
 * field argument as a variable; null when there is nothing to rewrite or one literal does not coerce,
 * and the request then goes on byte for byte as the client sent it. Directive arguments
 * (`@skip(if: true)`) stay: they shape the plan. An argument with a variable anywhere inside stays whole.
 */
export function literalsAsVariables(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined): LiteralsAsVariables | null {
  // Only a single-operation document: every fragment in it is then used by that operation alone.
  let operation: OperationDefinitionNode | undefined;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operation) return null;
    operation = d;
  }
  const source = document.loc?.source.body;
  if (!operation || source === undefined) return null;
  const literals: ArgumentNode[] = [];
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) collectLiterals(d.selectionSet, literals);
  if (literals.length === 0) return null;

  // Documents that differ only inside the literals share a key: the cheap per-request part is this cut.
  const prefix = freshPrefix(operation, variables);
  let key = `${prefix}\u0000`;
  let at = 0;
  for (const a of literals) {
    if (!a.value.loc || a.value.loc.start < at) return null;
    key += `${source.slice(at, a.value.loc.start)}\u0000`;
    at = a.value.loc.end;
  }
  key += source.slice(at);
  let byText = shapes.get(schema);
  if (!byText) shapes.set(schema, (byText = new Map()));
  let shape = byText.get(key);
  if (!shape) {
    shape = shapeOf(schema, document, literals, prefix);
    if (byText.size >= CACHE_SIZE) byText.delete(byText.keys().next().value!);
    byText.set(key, shape);
  }

  const values: Record<string, unknown> = {};
  let n = 0;
  for (let i = 0; i < literals.length; i++) {
    const type = shape.types[i];
    if (!type) continue;
    const value = inputValue(literals[i]!.value, type);
    if (value === KEEP || !coerces(value, type)) return null;
    values[`${prefix}${n++}`] = value;
  }
  if (n === 0) return null;
  return { query: shape.printed ?? print(rewrite(document, literals, shape.types, prefix)), variables: { ...variables, ...values } };
}

/** Field arguments with no variable inside, in the order of the text; directives are not entered. */
function collectLiterals(set: SelectionSetNode, out: ArgumentNode[]): void {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      for (const a of s.arguments ?? []) if (!hasVariable(a.value)) out.push(a);
      if (s.selectionSet) collectLiterals(s.selectionSet, out);
    } else if (s.kind === Kind.INLINE_FRAGMENT) collectLiterals(s.selectionSet, out);
  }
}

/** The shape of a document not seen before: each literal's declared type from the schema, and the text when it does not depend on a literal. */
function shapeOf(schema: GraphQLSchema, document: DocumentNode, literals: ArgumentNode[], prefix: string): Shape {
  const declared = new Map<ArgumentNode, GraphQLInputType>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive: () => false,
      Argument(node) {
        const type = typeInfo.getArgument()?.type;
        if (type) declared.set(node, type);
        return false;
      },
    }),
  );
  const types = literals.map((a) => {
    const type = declared.get(a);
    return type && byValue(type) ? type : null;
  });
  return { types, printed: types.every(Boolean) ? print(rewrite(document, literals, types, prefix)) : null };
}

/** `document` with the literals that have a type replaced by variables `<prefix>0`, `<prefix>1`…, declared on its operation. */
function rewrite(document: DocumentNode, literals: ArgumentNode[], types: (GraphQLInputType | null)[], prefix: string): DocumentNode {
  const names = new Map<ArgumentNode, string>();
  const definitions: VariableDefinitionNode[] = [];
  literals.forEach((a, i) => {
    const type = types[i];
    if (!type) return;
    const name = `${prefix}${definitions.length}`;
    names.set(a, name);
    definitions.push({ kind: Kind.VARIABLE_DEFINITION, variable: variableNode(name), type: typeNode(type) });
  });
  const rewritten = visit(document, {
    Directive: () => false,
    Argument(node) {
      const name = names.get(node);
      return name === undefined ? false : { ...node, value: variableNode(name) };
    },
  });
  return {
    ...rewritten,
    definitions: rewritten.definitions.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? { ...d, variableDefinitions: [...(d.variableDefinitions ?? []), ...definitions] } : d)),
  };
}

function variableNode(name: string): VariableNode {
  return { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } };
}

/**
 * True when a value of `type` reaches the subgraphs the same as a variable or as a literal. Not with a
 * custom scalar inside: the gateway's schema takes any value for one (`Date`, `DateTime`, `Decimal`),
 * the subgraph checks it, and its refusal of a variable would name ours, not the client's literal.
 */
function byValue(type: GraphQLInputType, seen = new Set<GraphQLInputType>()): boolean {
  const named = getNamedType(type);
  if (isEnumType(named) || isSpecifiedScalarType(named)) return true;
  if (!isInputObjectType(named)) return false;
  if (seen.has(named)) return true;
  seen.add(named);
  return Object.values(named.getFields()).every((f) => byValue(f.type, seen));
}

/** A prefix no variable of the client's starts with (defined in the operation or sent in `variables`). */
function freshPrefix(operation: OperationDefinitionNode, variables: Record<string, unknown> | null | undefined): string {
  const names = [...(operation.variableDefinitions ?? []).map((v) => v.variable.name.value), ...Object.keys(variables ?? {})];
  for (let n = 0; ; n++) {
    const prefix = n === 0 ? LITERAL_VARIABLE_PREFIX : `${LITERAL_VARIABLE_PREFIX}${n}_`;
    if (!names.some((name) => name.startsWith(prefix))) return prefix;
  }
}

function hasVariable(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return value.values.some(hasVariable);
    case Kind.OBJECT:
      return value.fields.some((f) => hasVariable(f.value));
    default:
      return false;
  }
}

/**
 * The value a client would send in `variables` for `literal` of `type`: what the variable's coercion
 * turns into exactly what the literal's coercion gives. Leaves go through `valueFromAST`, so Int, Float,
 * ID and String coerce as the literal would; an enum is its name (a variable's external value, where
 * `valueFromAST` gives the internal one). KEEP for a literal that does not coerce.
 */
function inputValue(literal: ValueNode, type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return literal.kind === Kind.NULL ? KEEP : inputValue(literal, type.ofType);
  if (literal.kind === Kind.NULL) return null;
  if (isListType(type)) {
    // A single value where a list is expected is a list of one, as input coercion has it.
    if (literal.kind !== Kind.LIST) {
      const item = inputValue(literal, type.ofType);
      return item === KEEP ? KEEP : [item];
    }
    const items: unknown[] = [];
    for (const v of literal.values) {
      const item = inputValue(v, type.ofType);
      if (item === KEEP) return KEEP;
      items.push(item);
    }
    return items;
  }
  if (isInputObjectType(type)) {
    if (literal.kind !== Kind.OBJECT) return KEEP;
    const fields = type.getFields();
    const out: Record<string, unknown> = {};
    for (const f of literal.fields) {
      const field = fields[f.name.value];
      if (!field) return KEEP;
      const v = inputValue(f.value, field.type);
      if (v === KEEP) return KEEP;
      out[f.name.value] = v;
    }
    return out;
  }
  if (isEnumType(type)) return literal.kind === Kind.ENUM && type.getValue(literal.value) ? literal.value : KEEP;
  if (!isSpecifiedScalarType(type)) return KEEP;
  const v: unknown = valueFromAST(literal, type);
  return v === undefined ? KEEP : v;
}

/** The check the gateway's own variable coercion makes: a request that was valid must stay valid. */
function coerces(value: unknown, type: GraphQLInputType): boolean {
  let ok = true;
  coerceInputValue(value, type, () => (ok = false));
  return ok;
}

function typeNode(type: GraphQLInputType): TypeNode {
  if (isNonNullType(type)) return { kind: Kind.NON_NULL_TYPE, type: typeNode(type.ofType) as Exclude<TypeNode, { kind: Kind.NON_NULL_TYPE }> };
  if (isListType(type)) return { kind: Kind.LIST_TYPE, type: typeNode(type.ofType as GraphQLInputType) };
  return { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type.name } };
}
