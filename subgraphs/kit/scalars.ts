/** The graph's own scalars, shared by every subgraph that declares them in its SDL. */
import { GraphQLError, GraphQLScalarType, Kind, type DocumentNode } from 'graphql';
import { ErrorCode } from '../../core/errors.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+\.\d{2}$/;

function bad(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/** `Date`: ISO 8601 calendar date, checked to exist (no 2023-02-29). */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date in ISO 8601 form, YYYY-MM-DD.',
  serialize(value) {
    if (typeof value !== 'string' || !isRealDate(value)) throw new GraphQLError('A Date value must be a real date as YYYY-MM-DD.');
    return value;
  },
  parseValue(value) {
    if (typeof value !== 'string' || !isRealDate(value)) throw bad('A Date must be a real date written YYYY-MM-DD, e.g. "1985-03-15".');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isRealDate(ast.value)) throw bad('A Date must be a real date written YYYY-MM-DD, e.g. "1985-03-15".');
    return ast.value;
  },
});

/** `Decimal`: exact money as a string with two decimals; a number is refused so no float sneaks in. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal amount as a string with two decimals, e.g. "1523.40".',
  serialize(value) {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new GraphQLError('A Decimal value must be a string with two decimals.');
    return value;
  },
  parseValue(value) {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw bad('A Decimal must be a string with two decimals, e.g. "1523.40".');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !DECIMAL.test(ast.value)) throw bad('A Decimal must be a string with two decimals, e.g. "1523.40".');
    return ast.value;
  },
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

function instant(value: unknown): string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw bad('A DateTime must be an ISO 8601 instant with a zone, e.g. "2024-05-20T02:30:15.123Z".');
  }
  return new Date(value).toISOString();
}

/** `DateTime`: an ISO 8601 instant, normalised to UTC with milliseconds. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant in ISO 8601 UTC with milliseconds.',
  serialize: (value) => instant(value),
  parseValue: (value) => instant(value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw bad('A DateTime must be a string.');
    return instant(ast.value);
  },
});

const ALL = { Date: DateScalar, Decimal: DecimalScalar, DateTime: DateTimeScalar };

/** The scalar resolvers for the scalars a document declares. */
export function scalarResolvers(doc: DocumentNode): Record<string, GraphQLScalarType> {
  const out: Record<string, GraphQLScalarType> = {};
  for (const def of doc.definitions) {
    if (def.kind === Kind.SCALAR_TYPE_DEFINITION && def.name.value in ALL) out[def.name.value] = ALL[def.name.value as keyof typeof ALL];
  }
  return out;
}

/** True for a YYYY-MM-DD string naming a day that exists. */
export function isRealDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
