/**
 * Operation limits and rate limits, per role and per client: one default set, overridden by role, then
 * by client (an integrator's API key names its client). Parsed and checked once at start-up.
 */
import { z } from 'zod';
import { ROLES, type Principal } from '../../core/principal.ts';

/** Limits one operation must stay within; checked at the gateway before any subgraph is called. */
export interface OperationLimits {
  /** Bytes of query text. Default 20000. */
  maxQueryBytes: number;
  /** Lexical tokens of the document (graphql-js parse's own guard). Default 2000. */
  maxTokens: number;
  /** Nesting depth of fields. Default 12. */
  maxDepth: number;
  /** Aliases in the operation, `__typename` aliases counted. Default 20. */
  maxAliases: number;
  /** Fields at the root of the operation. Default 20. */
  maxRootFields: number;
  /** Directives in the operation. Default 30. */
  maxDirectives: number;
  /** Times one field may appear in one selection set (fragments expanded). Default 5. */
  maxFieldRepeats: number;
  /** Estimated cost: 1 per field, times the list size below it. Default 5000. */
  maxCost: number;
  /** List size assumed for a list field whose size no argument gives (`ids`, `first`). Default 10. */
  defaultListSize: number;
}

/** Rate limit of one key: `points` requests per `durationSec` seconds, a burst of `points`. */
export interface RateLimit {
  /** Requests allowed per window. Default 600 per principal, 1200 per client. */
  points: number;
  /** Window in seconds. Default 60. */
  durationSec: number;
}

/** Limits of one role or client; any field left out falls back to the level below. */
export interface LimitSet {
  operation?: Partial<OperationLimits>;
  /** Per principal (sub, or the network address when anonymous). */
  principalRate?: RateLimit;
  /** Per client application or integrator (all its principals together). */
  clientRate?: RateLimit;
}

/** The whole configuration. */
export interface LimitsConfig {
  default?: LimitSet;
  roles?: Partial<Record<Principal['role'], LimitSet>>;
  clients?: Record<string, LimitSet>;
}

/** Limits applied to one request, every field resolved. */
export interface ResolvedLimits {
  operation: OperationLimits;
  principalRate: RateLimit;
  clientRate: RateLimit;
}

/** The defaults; generous for apps, tight enough for a public endpoint. */
export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxQueryBytes: 20_000,
  maxTokens: 2000,
  maxDepth: 12,
  maxAliases: 20,
  maxRootFields: 20,
  maxDirectives: 30,
  maxFieldRepeats: 5,
  maxCost: 5000,
  defaultListSize: 10,
});
export const DEFAULT_PRINCIPAL_RATE: Readonly<RateLimit> = Object.freeze({ points: 600, durationSec: 60 });
export const DEFAULT_CLIENT_RATE: Readonly<RateLimit> = Object.freeze({ points: 1200, durationSec: 60 });

const count = z.number().int().positive();
const rate = z.strictObject({ points: count, durationSec: count });
const limitSet = z.strictObject({
  operation: z
    .strictObject(Object.fromEntries(Object.keys(DEFAULT_OPERATION_LIMITS).map((k) => [k, count.optional()])) as Record<keyof OperationLimits, z.ZodOptional<typeof count>>)
    .optional(),
  principalRate: rate.optional(),
  clientRate: rate.optional(),
});
const configSchema = z.strictObject({
  default: limitSet.optional(),
  roles: z.partialRecord(z.enum(ROLES), limitSet).optional(),
  clients: z.record(z.string().min(1), limitSet).optional(),
});

/** Checks a configuration (e.g. parsed from GATEWAY_LIMITS); throws a TypeError naming the bad entry. */
export function checkLimitsConfig(value: unknown): LimitsConfig {
  const r = configSchema.safeParse(value ?? {});
  if (!r.success) {
    throw new TypeError(`Invalid limits configuration: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return r.data as LimitsConfig;
}

/** Returns the resolver of a principal's limits: default, then its role's, then its client's. */
export function createLimitResolver(config: LimitsConfig = {}): (p: Principal) => ResolvedLimits {
  const checked = checkLimitsConfig(config);
  const cache = new Map<string, ResolvedLimits>();
  return (p) => {
    const key = `${p.role}\u0000${p.client ?? ''}`;
    let hit = cache.get(key);
    if (!hit) {
      const sets = [checked.default, checked.roles?.[p.role], p.client ? checked.clients?.[p.client] : undefined].filter(Boolean) as LimitSet[];
      hit = {
        operation: Object.assign({}, DEFAULT_OPERATION_LIMITS, ...sets.map((s) => s.operation ?? {})),
        principalRate: Object.assign({}, DEFAULT_PRINCIPAL_RATE, ...sets.map((s) => s.principalRate ?? {})),
        clientRate: Object.assign({}, DEFAULT_CLIENT_RATE, ...sets.map((s) => s.clientRate ?? {})),
      };
      // Bounded: clients are configured names or integrator keys, never arbitrary client input.
      if (cache.size < 1000) cache.set(key, hit);
    }
    return hit;
  };
}
