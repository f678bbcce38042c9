/**
 * The limits graphql-armor has no rule for: root fields, one field repeated in a selection set, and a
 * cost that knows list sizes (armor's cost limit weighs a 100-ID list like a single object). Each
 * walks the operation with fragments expanded once, so a fragment cycle cannot loop here (graphql-js
 * rejects the cycle itself).
 */
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLInterfaceType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** A limit that an operation broke, with the measured value. */
export interface LimitBreach {
  limit: string;
  max: number;
  found: number;
}

type Fragments = Record<string, FragmentDefinitionNode>;

/** Most field visits one walk makes; fragments spread inside fragments can expand exponentially. */
export const WALK_BUDGET = 50_000;

/** Thrown when a walk exceeds WALK_BUDGET: the operation is too large to measure, hence refused. */
export class WalkBudgetExceeded extends Error {}

function budget(): () => void {
  let left = WALK_BUDGET;
  return () => {
    if (--left < 0) throw new WalkBudgetExceeded('operation too large to measure');
  };
}

/** Fields at the root of the operation (fragments on the root type expanded). */
export function countRootFields(op: OperationDefinitionNode, fragments: Fragments): number {
  let n = 0;
  const tick = budget();
  forEachField(op.selectionSet, fragments, new Set(), () => {
    tick();
    n++;
  });
  return n;
}

/** The most times one response key (alias or field name) appears in one selection set anywhere in the operation. */
export function maxFieldRepeats(op: OperationDefinitionNode, fragments: Fragments): number {
  let worst = 0;
  const tick = budget();
  const walk = (set: SelectionSetNode, seen: Set<string>) => {
    const counts = new Map<string, number>();
    forEachField(set, fragments, seen, (field) => {
      tick();
      // By response key: aliased copies are the alias limit's business, an unaliased repeat is this one's.
      const name = field.alias?.value ?? field.name.value;
      const c = (counts.get(name) ?? 0) + 1;
      counts.set(name, c);
      if (c > worst) worst = c;
      if (field.selectionSet) walk(field.selectionSet, new Set(seen));
    });
  };
  walk(op.selectionSet, new Set());
  return worst;
}

/** Size arguments that bound a list: `ids` (its length) and `first`/`last`/`limit` (their value). */
const SIZE_ARGS = new Set(['ids', 'first', 'last', 'limit']);

/**
 * Estimated cost: every field costs 1, and a list multiplies what is below it by its size: the size
 * argument's value when the field has one (it also sizes the list just below it, as in a connection's
 * `edges`), `defaultListSize` otherwise.
 */
export function estimateCost(
  schema: GraphQLSchema,
  op: OperationDefinitionNode,
  fragments: Fragments,
  variables: Record<string, unknown>,
  defaultListSize: number,
): number {
  const root = op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 0;
  const tick = budget();
  const costOf = (set: SelectionSetNode, parent: GraphQLObjectType | GraphQLInterfaceType, sizedAbove: boolean, seen: Set<string>): number => {
    let total = 0;
    forEachField(set, fragments, seen, (field, typeCondition) => {
      tick();
      // Introspection is answered by the gateway itself, no department called; it is gated on its own.
      if (field.name.value.startsWith('__')) return;
      const owner = (typeCondition && schema.getType(typeCondition)) || parent;
      const def: GraphQLField<unknown, unknown> | undefined = isObjectType(owner) || isInterfaceType(owner) ? owner.getFields()[field.name.value] : undefined;
      const size = sizeFromArguments(field, variables);
      const list = def ? isListType(getNullableType(def.type)) : false;
      const multiplier = size ?? (list ? (sizedAbove ? 1 : defaultListSize) : 1);
      const named = def ? getNamedType(def.type) : undefined;
      const below = field.selectionSet && named && (isObjectType(named) || isInterfaceType(named)) ? costOf(field.selectionSet, named, size !== undefined, new Set(seen)) : 0;
      total += (1 + below) * multiplier;
    });
    return total;
  };
  return costOf(op.selectionSet, root, false, new Set());
}

function sizeFromArguments(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  for (const arg of field.arguments ?? []) {
    if (!SIZE_ARGS.has(arg.name.value)) continue;
    const value = valueOf(arg.value, variables);
    if (Array.isArray(value)) return Math.max(1, value.length);
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(1, Math.floor(value));
  }
  return undefined;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.LIST:
      return node.values;
    default:
      return undefined;
  }
}

/** Calls `visit` for each field of `set`, inline fragments and spreads expanded (each fragment once per path). */
function forEachField(set: SelectionSetNode, fragments: Fragments, seen: Set<string>, visit: (field: FieldNode, typeCondition?: string) => void, typeCondition?: string): void {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) visit(sel, typeCondition);
    else if (sel.kind === Kind.INLINE_FRAGMENT) forEachField(sel.selectionSet, fragments, seen, visit, sel.typeCondition?.name.value ?? typeCondition);
    else {
      const name = sel.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      forEachField(fragment.selectionSet, fragments, seen, visit, fragment.typeCondition.name.value);
    }
  }
}
