/**
 * Builds a department's executable subgraph schema. This is the only way a subgraph schema is made,
 * so none can exist without its access rules: the kit loads the SDL from `schema/`, refuses a schema
 * with a field that has no explicit rule, and applies graphql-shield with `fallbackRule: deny`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { applyMiddleware, deny, shield } from './shield.ts';
import { ErrorCode } from '../../core/errors.ts';
import type { SubgraphContext } from './context.ts';
import type { PermissionMap, SubgraphDefinition } from './definition.ts';
import { describeRule, maskFor } from './rules.ts';
import { scalarResolvers } from './scalars.ts';
import { disclosureRecordMiddleware } from './disclosure.ts';
import { accessRecordMiddleware, supervisionMiddleware } from './supervision.ts';
import type { SupervisionStore } from '../../supervision/index.ts';

/** Folder of the committed SDL files. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/** Reads `schema/<name>.graphql`: the SDL lives there and nowhere else. */
export function readSubgraphSdl(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new TypeError(`Subgraph name "${name}" must be letters and digits, e.g. "medicalInsurance".`);
  return readFileSync(new URL(`${name}.graphql`, `file://${SCHEMA_DIR}`), 'utf8');
}

/** Every `Type.field` of the schema's object types, the federation ones (`_service`, `_entities`) included. */
export function listFields(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) out.push(`${type.name}.${field}`);
  }
  return out.sort();
}

/** The fields with no explicit rule, and rules naming fields that do not exist. */
export function checkRuleCoverage(schema: GraphQLSchema, permissions: PermissionMap): { missing: string[]; unknown: string[] } {
  const fields = new Set(listFields(schema));
  const ruled = new Set(Object.entries(permissions).flatMap(([type, map]) => Object.keys(map).map((f) => `${type}.${f}`)));
  return {
    missing: [...fields].filter((f) => !ruled.has(f)),
    unknown: [...ruled].filter((f) => !fields.has(f)),
  };
}

/** The error a denied field carries: a GraphQLError with a code, naming the field (shield's trap: never "Not Authorised!"). */
function forbidden(_err: unknown, _parent: unknown, _args: unknown, ctx: SubgraphContext, info: { parentType: { name: string }; fieldName: string }): GraphQLError {
  ctx?.log?.info({ rule: 'denied', field: `${info.parentType.name}.${info.fieldName}`, role: ctx.principal?.role }, 'access denied');
  return new GraphQLError(`Your role may not read or change ${info.parentType.name}.${info.fieldName}.`, {
    extensions: { code: ErrorCode.FORBIDDEN },
  });
}

/** Options of `buildDepartmentSchema`. */
export interface BuildOptions {
  /** The supervision store; required when the subgraph has mutations. */
  supervision?: SupervisionStore;
  /** SDL to use instead of `schema/<name>.graphql` (kit tests only). */
  sdl?: string;
}

/** Runs each field's argument validator before the rules and the resolver see the arguments. */
function validationMiddleware(validate: NonNullable<SubgraphDefinition['validate']>) {
  return Object.fromEntries(
    Object.entries(validate).map(([type, fields]) => [
      type,
      Object.fromEntries(
        Object.entries(fields).map(([field, check]) => [
          field,
          (resolve: (p: unknown, a: unknown, c: unknown, i: unknown) => unknown, parent: unknown, args: Record<string, any>, ctx: unknown, info: unknown) =>
            resolve(parent, check(args), ctx, info),
        ]),
      ),
    ]),
  );
}

/**
 * Shows a field through the mask of the grant that allowed it (e.g. a masked resident ID for an
 * integrator), so how much a caller sees is declared beside who may see it, in permissions.ts.
 */
function disclosureMiddleware(permissions: PermissionMap) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [type, fields] of Object.entries(permissions)) {
    for (const [field, r] of Object.entries(fields)) {
      const grants = describeRule(r)?.grants;
      if (!grants?.some((g) => g.mask)) continue;
      (out[type] ??= {})[field] = async (resolve: (p: unknown, a: unknown, c: unknown, i: unknown) => unknown, parent: unknown, args: Record<string, unknown>, ctx: SubgraphContext, info: unknown) => {
        const value = await resolve(parent, args, ctx, info);
        const mask = maskFor(grants, ctx.principal, parent, args ?? {});
        return mask && value !== null && value !== undefined ? mask(value) : value;
      };
    }
  }
  return out;
}

/** Builds the executable schema of a department, rules and supervision applied; throws when a field has no rule or a mutation no power item. */
export function buildDepartmentSchema(def: SubgraphDefinition<any, any>, options: BuildOptions = {}): GraphQLSchema {
  const typeDefs = parse(options.sdl ?? readSubgraphSdl(def.name));
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: { ...scalarResolvers(typeDefs), ...def.resolvers } as never }]);
  const { missing, unknown } = checkRuleCoverage(schema, def.permissions);
  if (missing.length > 0) {
    throw new Error(`Subgraph ${def.name} has fields without an explicit access rule in permissions.ts: ${missing.join(', ')}.`);
  }
  if (unknown.length > 0) {
    throw new Error(`Subgraph ${def.name} has rules for fields that are not in schema/${def.name}.graphql: ${unknown.join(', ')}.`);
  }
  const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});
  const powers = def.powers ?? {};
  const unrecorded = mutations.filter((m) => !powers[m]);
  if (unrecorded.length > 0) {
    throw new Error(`Subgraph ${def.name} has mutations without a power item (行权事项) in its definition: ${unrecorded.join(', ')}.`);
  }
  if ((mutations.length > 0 || def.recordedReads || hasDisclosures(def)) && !options.supervision) {
    throw new Error(`Subgraph ${def.name} has mutations or recorded reads, so it needs a supervision store: every change and every read of personal data is recorded.`);
  }
  const permissions = shield(def.permissions, {
    fallbackRule: deny,
    // A legacy timeout must reach the client as ADAPTER_TIMEOUT, not as a denial.
    allowExternalErrors: true,
    fallbackError: forbidden as never,
  });
  // Supervision first, so it wraps the rules and records a denied or malformed attempt as well.
  const recording = [
    ...(mutations.length > 0 ? [supervisionMiddleware(def.name, options.supervision!, powers)] : []),
    ...(def.recordedReads ? [accessRecordMiddleware(def.recordedReads.chain, options.supervision!, def.recordedReads.fields)] : []),
  ];
  // Disclosure innermost: it sees a value only after the rules allowed the field.
  // Disclosure records inside validation (normalised subjects), outside the rules (they see denials).
  return applyMiddleware(
    schema,
    ...(recording as never[]),
    validationMiddleware(def.validate ?? {}),
    disclosureRecordMiddleware(def.disclosures ?? {}) as never,
    permissions,
    disclosureMiddleware(def.permissions) as never,
  );
}

/** True when the definition declares at least one field that discloses personal data. */
export function hasDisclosures(def: SubgraphDefinition<any, any>): boolean {
  return Object.values(def.disclosures ?? {}).some((fields) => Object.values(fields).some((d) => d.kind === 'personal'));
}
