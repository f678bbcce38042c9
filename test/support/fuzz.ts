/**
 * Operations generated from the graph's schema for the property test of the gateway: valid ones with
 * every kind of argument, and malformed ones (wrong literal types, variables of the wrong type, unknown
 * fields, cut or corrupted text). Also the check that no field a caller may not read carries data,
 * with the generated access table (docs/access.md) as the contract.
 */
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DENIED_CELL, type SubgraphAccess } from '../../scripts/lib/access-table.ts';
import { evaluateCell, type Caller } from './access.ts';

/** A generated request body. */
export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
}

type Gen = <T>(arb: (...args: any[]) => fc.Arbitrary<T>, ...args: any[]) => T;

/** Resident IDs the generator uses: valid ones the stand-in knows, a valid unknown one, and broken ones. */
export function idPool(known: readonly string[]): string[] {
  return [...known, '110101199003078515', '210102198503152319', '2101021985031523', 'X'.repeat(18), '', '21010219850315231８'];
}

/** The generator of operations over `schema`. */
export function operationArbitrary(schema: GraphQLSchema, ids: readonly string[]): fc.Arbitrary<GeneratedOperation> {
  return fc.gen().map((g: Gen) => generate(g, schema, ids));
}

function generate(g: Gen, schema: GraphQLSchema, ids: readonly string[]): GeneratedOperation {
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  let counter = 0;
  const pick = <T>(items: readonly T[]): T => items[g(fc.nat, { max: items.length - 1 })]!;

  const validValue = (type: GraphQLInputType, depth: number): unknown => {
    if (isNonNullType(type)) return validValue(type.ofType, depth);
    if (isListType(type)) return Array.from({ length: g(fc.integer, { min: 0, max: 4 }) }, () => validValue(type.ofType, depth + 1));
    if (isEnumType(type)) return pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      if (depth > 2) return {};
      const out: Record<string, unknown> = {};
      for (const f of Object.values(type.getFields())) if (isNonNullType(f.type) || g(fc.boolean)) out[f.name] = validValue(f.type, depth + 1);
      return out;
    }
    switch (getNamedType(type).name) {
      case 'ID':
        return pick(ids);
      case 'Int':
        return g(fc.integer, { min: -5, max: 150 });
      case 'Boolean':
        return g(fc.boolean);
      case 'Float':
        return g(fc.double, { noNaN: true, noDefaultInfinity: true });
      default:
        return g(fc.oneof, fc.constantFrom('王立军', '李四', '13912345678', '024-23456789', '2026-01-01', 'population'), fc.string({ maxLength: 12 }));
    }
  };
  const wrongValue = (type: GraphQLInputType): unknown => {
    const named = getNamedType(type);
    const candidates: unknown[] = [{ nested: 1 }, [1, 2], true, 3.5, 'not-a-thing', -1];
    if (isNonNullType(type)) candidates.push(null);
    if (isScalarType(named) && (named.name === 'Int' || named.name === 'Float')) candidates.push('12');
    if (isScalarType(named) && (named.name === 'String' || named.name === 'ID')) candidates.push(42);
    return pick(candidates);
  };
  const literal = (v: unknown, type: GraphQLInputType): string => {
    const named = getNamedType(type);
    if (v === null) return 'null';
    if (Array.isArray(v)) return `[${v.map((x) => literal(x, isListType(getNullableType(type)) ? (getNullableType(type) as any).ofType : type)).join(', ')}]`;
    if (typeof v === 'object') {
      const fields = isInputObjectType(named) ? named.getFields() : {};
      return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${literal(x, (fields as any)[k]?.type ?? type)}`).join(', ')} }`;
    }
    if (typeof v === 'string' && isEnumType(named) && named.getValue(v)) return v;
    return JSON.stringify(v);
  };
  const argument = (arg: GraphQLArgument): string | undefined => {
    const required = isNonNullType(arg.type);
    const mode = g(fc.constantFrom, 'literal', 'literal', 'variable', 'variable', 'wrongLiteral', 'wrongVariable', 'omit');
    if (mode === 'omit' && (!required || g(fc.integer, { min: 0, max: 4 }) === 0)) return undefined;
    if (mode === 'literal' || mode === 'omit') return `${arg.name}: ${literal(validValue(arg.type, 0), arg.type)}`;
    if (mode === 'wrongLiteral') return `${arg.name}: ${literal(wrongValue(arg.type), arg.type)}`;
    const name = `v${counter++}`;
    declarations.push(`$${name}: ${String(arg.type)}`);
    variables[name] = mode === 'variable' ? validValue(arg.type, 0) : wrongValue(arg.type);
    return `${arg.name}: $${name}`;
  };
  const selection = (type: GraphQLObjectType, depth: number): string => {
    const fields = Object.values(type.getFields()).filter((f) => !f.name.startsWith('_'));
    const chosen = Array.from({ length: g(fc.integer, { min: 1, max: Math.min(4, fields.length) }) }, () => pick(fields));
    const parts = chosen.map((f) => field(f, depth));
    if (g(fc.integer, { min: 0, max: 5 }) === 0) parts.push('__typename');
    if (g(fc.integer, { min: 0, max: 7 }) === 0) parts.push(`... on ${type.name} { ${field(pick(fields), depth)} }`);
    return `{ ${parts.join(' ')} }`;
  };
  const field = (f: GraphQLField<unknown, unknown>, depth: number): string => {
    const alias = g(fc.integer, { min: 0, max: 4 }) === 0 ? `a${counter++}: ` : '';
    const args = f.args.map(argument).filter(Boolean);
    const named = getNamedType(f.type);
    const below = isObjectType(named) ? (depth >= 3 ? '{ __typename }' : selection(named, depth + 1)) : '';
    return `${alias}${f.name}${args.length ? `(${args.join(', ')})` : ''} ${below}`.trim();
  };

  const mutation = g(fc.integer, { min: 0, max: 14 }) === 0;
  const root = (mutation ? schema.getMutationType() : schema.getQueryType())!;
  const rootFields = Object.values(root.getFields()).filter((f) => !f.name.startsWith('_'));
  const body = Array.from({ length: g(fc.integer, { min: 1, max: 3 }) }, () => field(pick(rootFields), 0)).join(' ');
  let query = `${mutation ? 'mutation' : 'query'} Fuzz${declarations.length ? `(${declarations.join(', ')})` : ''} { ${body} }`;

  switch (g(fc.integer, { min: 0, max: 11 })) {
    case 0: // cut short
      query = query.slice(0, g(fc.nat, { max: query.length - 1 }));
      break;
    case 1: {
      // a stray character
      const at = g(fc.nat, { max: query.length - 1 });
      query = query.slice(0, at) + pick(['{', '}', '(', '"', '$', '@', '…', '\u0000']) + query.slice(at);
      break;
    }
    case 2: // a field the schema does not have
      query = query.replace(/\{ (\w+)/, '{ noSuchField $1');
      break;
    default:
      break;
  }
  return { query, variables };
}

/** Fields of the answer that carry data though the table denies them to `caller`; empty when none. */
export function leakedFields(schema: GraphQLSchema, table: readonly SubgraphAccess[], caller: Caller, op: GeneratedOperation, data: unknown): string[] {
  if (data === null || data === undefined) return [];
  let document;
  try {
    document = parse(op.query);
  } catch {
    return ['(data answered to a query that does not parse)'];
  }
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  const leaks: string[] = [];
  const valueOf = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.kind === Kind.VARIABLE) return op.variables[node.name.value];
    if (node.kind === Kind.STRING) return node.value;
    if (node.kind === Kind.LIST) return node.values.map(valueOf);
    return undefined;
  };
  const walk = (set: SelectionSetNode, type: GraphQLObjectType, value: Record<string, unknown>, subject: string) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!sel.typeCondition || sel.typeCondition.name.value === type.name) walk(sel.selectionSet, type, value, subject);
        continue;
      }
      if (sel.kind !== Kind.FIELD || sel.name.value.startsWith('__')) continue;
      const def = type.getFields()[sel.name.value];
      const got = value[sel.alias?.value ?? sel.name.value];
      if (!def || got === null || got === undefined) continue;
      const rowSubject = type === root ? rootSubject(sel.name.value, sel.arguments?.find((a) => a.name.value === 'id' || a.name.value === 'citizenId'), valueOf) ?? subject : subject;
      const ids = type === root && def.name === 'citizens' ? valueOf(sel.arguments?.find((a) => a.name.value === 'ids')?.value) : undefined;
      // A list of people is allowed only when every one of them is (the kit's `argIds` subjects).
      const subjects = Array.isArray(ids) ? ids.map(String) : [rowSubject];
      if (!subjects.every((one) => readable(table, `${type.name}.${def.name}`, caller, one))) leaks.push(`${type.name}.${def.name} for ${subjects.join(', ') || '(no subject)'}`);
      const named = getNamedType(def.type);
      if (!isObjectType(named) || !sel.selectionSet) continue;
      const items = Array.isArray(got) ? got : [got];
      items.forEach((item, i) => {
        if (item && typeof item === 'object') walk(sel.selectionSet!, named, item as Record<string, unknown>, Array.isArray(ids) && typeof ids[i] === 'string' ? (ids[i] as string) : rowSubject);
      });
    }
  };
  if (root && typeof data === 'object') walk(operation.selectionSet, root, data as Record<string, unknown>, '');
  return leaks;
}

function rootSubject(field: string, arg: { value: ValueNode } | undefined, valueOf: (n: ValueNode | undefined) => unknown): string | undefined {
  if (!arg) return undefined;
  const v = valueOf(arg.value);
  return typeof v === 'string' && field !== 'citizens' ? v : undefined;
}

/** True when some subgraph's row for `Type.field` allows `caller` for `subject` (a field in no row is federation plumbing). */
function readable(table: readonly SubgraphAccess[], field: string, caller: Caller, subject: string): boolean {
  const rows = table.flatMap((s) => s.rows.filter((r) => r.field === field));
  if (rows.length === 0) return true;
  return rows.some((r) => r.cells[caller.role] !== DENIED_CELL && evaluateCell(r.cells[caller.role], caller, subject).allowed);
}
