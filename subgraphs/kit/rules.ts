/**
 * The vocabulary of access rules. Every rule is a named graphql-shield rule built from *grants*;
 * the grants are kept beside the rule so the role × field table in docs is generated from the very
 * objects that decide, not written by hand.
 */
import { rule, type IRule } from './shield.ts';
import { ROLES, type Principal, type Role } from '../../core/principal.ts';
import type { SubgraphContext } from './context.ts';

/** Extracts the subject(s) a field is about (a resident ID, a USCC) from parent and arguments. */
export type SubjectOf = (parent: unknown, args: Record<string, unknown>) => string | readonly string[] | null | undefined;

/** One way to be allowed: a role, optionally limited to its own subject or needing a scope. */
export interface Grant {
  /** The role this grant is for. */
  role: Role;
  /** When set, the caller's own identity must equal every subject this returns ("own records only"). */
  own?: SubjectOf;
  /**
   * When set, the principal's `client` (an integrator's client name) must equal every subject this
   * returns, e.g. the operator of a car park ("its own lots").
   */
  client?: SubjectOf;
  /** When set, the principal must hold this scope. */
  scope?: string;
  /** When set, the principal's department must equal this. */
  department?: string;
  /**
   * When set, the principal's department must equal the department this returns for the record
   * (e.g. staff of the department that owns a case); nothing returned means denied. Default none.
   */
  departmentOf?: SubjectOf;
  /**
   * When set, a caller allowed by this grant sees the value through it (e.g. a masked resident ID),
   * unless another grant it satisfies shows the value plainly. Default: the value as it is.
   */
  mask?: (value: unknown) => unknown;
  /** Words shown in the generated table after the derived ones, or alone for an unconditional grant (`gateway`). Default none. */
  note?: string;
}

/** A shield rule that also carries the grants it was built from. */
export interface NamedRule {
  name: string;
  grants: readonly Grant[];
  rule: IRule;
}

const registry = new WeakMap<IRule, NamedRule>();

/** The grants behind a rule built with `grant()`, or undefined for a foreign rule. */
export function describeRule(r: unknown): NamedRule | undefined {
  return registry.get(r as IRule);
}

/**
 * The words of the generated access table for one grant, derived from what it checks, so the table
 * cannot say less than the code does: `own + scope citizen:read`, `dept population`, `scope citizen:basic, masked`.
 */
export function describeGrant(g: Grant): string {
  const checks = [g.own && 'own', g.client && 'own client', g.scope && `scope ${g.scope}`, g.department && `dept ${g.department}`, g.departmentOf && 'dept of record'].filter(Boolean).join(' + ');
  const words = checks === '' ? (g.note ?? 'yes') : g.note ? `${checks} (${g.note})` : checks;
  return g.mask ? `${words}, masked` : words;
}

/**
 * How principal `p` may see a field allowed by `grants`: `null` to see it as it is, or the mask to
 * show it through. Plain wins: a mask applies only when every grant `p` satisfies masks.
 */
export function maskFor(grants: readonly Grant[], p: Principal, parent: unknown, args: Record<string, unknown>): ((value: unknown) => unknown) | null {
  const satisfied = grants.filter((g) => satisfiesSafely(g, p, parent, args));
  if (satisfied.length === 0 || satisfied.some((g) => !g.mask)) return null;
  return satisfied[0]!.mask!;
}

function satisfiesSafely(g: Grant, p: Principal, parent: unknown, args: Record<string, unknown>): boolean {
  try {
    return satisfies(g, p, parent, args);
  } catch {
    return false;
  }
}

/** Which identity of the principal "own" compares with: an app acts for the citizen it represents. */
function ownIdentity(p: Principal): string | null {
  return p.role === 'app' ? p.onBehalfOf : p.sub;
}

/** True when principal `p` satisfies grant `g` for this parent and these arguments. */
export function satisfies(g: Grant, p: Principal, parent: unknown, args: Record<string, unknown>): boolean {
  if (p.role !== g.role) return false;
  if (g.scope && !p.scopes.includes(g.scope)) return false;
  if (g.department && p.department !== g.department) return false;
  if (g.client && !sameSubjects(g.client(parent, args), p.client)) return false;
  if (g.departmentOf) {
    const owner = g.departmentOf(parent, args);
    if (typeof owner !== 'string' || owner === '' || p.department !== owner) return false;
  }
  if (g.own) {
    const me = ownIdentity(p);
    if (!me) return false;
    const subjects = g.own(parent, args);
    if (subjects === null || subjects === undefined) return false;
    const list = typeof subjects === 'string' ? [subjects] : subjects;
    if (list.length === 0) return false;
    return list.every((s) => String(s).toUpperCase() === me.toUpperCase());
  }
  return true;
}

/** True when `subjects` names at least one subject and every one is `me` (case-insensitive). */
function sameSubjects(subjects: string | readonly string[] | null | undefined, me: string | null): boolean {
  if (!me || subjects === null || subjects === undefined) return false;
  const list = typeof subjects === 'string' ? [subjects] : subjects;
  return list.length > 0 && list.every((s) => String(s).toUpperCase() === me.toUpperCase());
}

/**
 * Builds a named rule from grants; it fails closed: an exception while checking means denied.
 * Results are not cached across fields because "own" depends on the parent object.
 */
export function grant(name: string, ...grants: Grant[]): IRule {
  if (!name) throw new TypeError('grant() needs a rule name, used in logs and in the generated access table.');
  if (grants.length === 0) throw new TypeError(`grant('${name}') needs at least one grant; a rule that allows nobody is \`deny\`.`);
  for (const g of grants) {
    if (!(ROLES as readonly string[]).includes(g?.role)) throw new TypeError(`grant('${name}'): "${String(g?.role)}" is not a role (${ROLES.join(', ')}).`);
  }
  const r = rule(name, { cache: 'no_cache' })((parent: unknown, args: Record<string, unknown>, ctx: SubgraphContext) => {
    return grants.some((g) => satisfiesSafely(g, ctx.principal, parent, args ?? {}));
  });
  registry.set(r, { name, grants, rule: r });
  return r;
}

/** Subject of a field on an entity keyed by `id`. */
export const parentId: SubjectOf = (parent) => (parent as { id?: string } | null)?.id;
/** Subject named by an `id` argument. */
export const argId: SubjectOf = (_parent, args) => args.id as string | undefined;
/** Subjects named by an `ids` argument. */
export const argIds: SubjectOf = (_parent, args) => args.ids as string[] | undefined;

/** Allowed to any request that reached the subgraph, which means it carries the gateway's signed principal. */
export const viaGateway = grant('viaGateway', ...ROLES.map((role) => ({ role, note: 'gateway' })));
