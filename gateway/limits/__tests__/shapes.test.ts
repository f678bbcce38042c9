import * as graphql from 'graphql';
import { GraphQLID, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, Kind, print } from 'graphql';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpRefusal } from '../../../core/graphql-http.ts';
import { checkOperation } from '../check.ts';
import { DEFAULT_OPERATION_LIMITS } from '../options.ts';

// Counts the graph's validations (check.ts imports `validate` from graphql); everything else is graphql's own.
const validations = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql', async (original) => {
  const actual = await original<typeof graphql>();
  return {
    ...actual,
    validate: (...args: Parameters<typeof actual.validate>) => {
      validations.count++;
      return actual.validate(...args);
    },
  };
});

/** A scalar that refuses what is not a day: a string where any string does not pass. */
const Day = new GraphQLScalarType({
  name: 'Day',
  serialize: String,
  parseValue: (v) => v,
  parseLiteral: (v) => {
    if (v.kind !== Kind.STRING || !/^\d{4}-\d{2}-\d{2}$/.test(v.value)) throw new TypeError('Day must be written YYYY-MM-DD.');
    return v.value;
  },
});
const Person: GraphQLObjectType = new GraphQLObjectType({ name: 'Person', fields: () => ({ id: { type: GraphQLID }, name: { type: GraphQLString } }) });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      person: { type: Person, args: { id: { type: new GraphQLNonNull(GraphQLID) } } },
      people: { type: new GraphQLList(Person), args: { ids: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLID))) } } },
      search: { type: new GraphQLList(Person), args: { name: { type: GraphQLString }, first: { type: graphql.GraphQLInt } } },
      on: { type: GraphQLString, args: { day: { type: Day } } },
    },
  }),
});

function code(query: string, limits = DEFAULT_OPERATION_LIMITS): string | undefined {
  try {
    checkOperation(schema, { query }, limits);
    return undefined;
  } catch (e) {
    if (e instanceof HttpRefusal) return e.code;
    throw e;
  }
}

describe('checkOperation: texts that differ only in string values', () => {
  // Limits of their own per test, so that no test finds another's shapes (they are keyed by limits too).
  let limits: typeof DEFAULT_OPERATION_LIMITS;
  beforeEach(() => {
    limits = { ...DEFAULT_OPERATION_LIMITS };
    validations.count = 0;
  });

  it('validates the first text of a shape, not the next ones, and gives each its own values', () => {
    const first = checkOperation(schema, { query: '{ person(id: "210102198503152318") { name } }' }, limits);
    const after = validations.count;
    expect(after).toBeGreaterThan(0);
    const second = checkOperation(schema, { query: '{ person(id: "110101199003077777") { name } }' }, limits);
    expect(validations.count).toBe(after);
    expect(print(second.document)).toContain('"110101199003077777"');
    expect(print(second.document)).not.toContain('210102198503152318');
    expect(print(first.document)).toContain('"210102198503152318"');
    // Lists of IDs too, each string its own value.
    checkOperation(schema, { query: '{ people(ids: ["1", "2"]) { id } }' }, limits);
    const before = validations.count;
    const people = checkOperation(schema, { query: '{ people(ids: ["3", "4"]) { id } }' }, limits);
    expect(validations.count).toBe(before);
    expect(print(people.document)).toContain('["3", "4"]');
  });

  it('validates every text whose strings stand where not every string passes (a custom scalar)', () => {
    expect(code('{ on(day: "2026-12-02") }', limits)).toBeUndefined();
    expect(code('{ on(day: "tomorrow") }', limits)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(code('{ on(day: "2026-12-03") }', limits)).toBeUndefined();
  });

  it('keeps what is not a string in the shape: numbers, enum-like names and the number of strings', () => {
    expect(code('{ search(name: "a", first: 1) { id } }', limits)).toBeUndefined();
    const before = validations.count;
    // Another number is another shape, validated (and costed) on its own.
    expect(code('{ search(name: "b", first: 2) { id } }', limits)).toBeUndefined();
    expect(validations.count).toBeGreaterThan(before);
    // A string where an Int is expected never shares the shape of a number.
    expect(code('{ search(name: "b", first: "2") { id } }', limits)).toBe('GRAPHQL_VALIDATION_FAILED');
    // One more string in the list is another shape.
    const more = validations.count;
    checkOperation(schema, { query: '{ people(ids: ["1"]) { id } }' }, limits);
    checkOperation(schema, { query: '{ people(ids: ["1", "2", "3"]) { id } }' }, limits);
    expect(validations.count).toBeGreaterThan(more);
  });

  it('still measures each text: its size, and its cost from its own numbers and variables', () => {
    const small = { ...limits, maxQueryBytes: 80 };
    expect(code('{ person(id: "1") { name } }', small)).toBeUndefined();
    expect(code(`{ person(id: "${'9'.repeat(80)}") { name } }`, small)).toBe('LIMIT_EXCEEDED');
    const cheap = { ...limits, maxCost: 5 };
    expect(code('{ people(ids: ["1", "2"]) { id } }', cheap)).toBeUndefined();
    expect(() => checkOperation(schema, { query: 'query($n: Int) { search(name: "x", first: $n) { id } }', variables: { n: 1 } }, cheap)).not.toThrow();
    expect(() => checkOperation(schema, { query: 'query($n: Int) { search(name: "y", first: $n) { id } }', variables: { n: 1000 } }, cheap)).toThrow(/cost points/);
  });

  it('answers each text for its own operation name, and refuses one it does not hold', () => {
    const doc = (id: string) => `query A { person(id: "${id}") { name } } query B { person(id: "${id}") { id } }`;
    expect(checkOperation(schema, { query: doc('1'), operationName: 'A' }, limits).operation.name?.value).toBe('A');
    expect(checkOperation(schema, { query: doc('2'), operationName: 'B' }, limits).operation.name?.value).toBe('B');
    expect(checkOperation(schema, { query: doc('3'), operationName: 'A' }, limits).operation.name?.value).toBe('A');
    try {
      checkOperation(schema, { query: doc('4'), operationName: 'C' }, limits);
      expect.unreachable();
    } catch (e) {
      expect((e as HttpRefusal).code).toBe('OPERATION_NAME_UNKNOWN');
    }
  });

  it('tells block strings from strings, and a broken string is a parse refusal, not a shape', () => {
    expect(code('{ person(id: """1""") { name } }', limits)).toBeUndefined();
    expect(code('{ person(id: "2") { name } }', limits)).toBeUndefined();
    expect(code('{ person(id: "3\\u00") { name } }', limits)).toBe('GRAPHQL_PARSE_FAILED');
  });
});
