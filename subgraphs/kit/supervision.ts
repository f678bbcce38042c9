/**
 * The supervision record of every mutation, applied by the kit to every Mutation field of every
 * subgraph. Outermost middleware, so it sees the access rules' denials too:
 * intent (durable) → rules → resolver → outcome. If the intent cannot be written, nothing runs.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { CityGraphError, ErrorCode, isCityGraphError } from '../../core/errors.ts';
import type { IntentInput, SubjectInput, SupervisionStore } from '../../supervision/index.ts';
import type { SubgraphContext } from './context.ts';

/** What the supervision platform must know of one mutation field: the power it exercises. */
export interface PowerItem {
  /** 行权事项 code of the power exercised, e.g. `GA-BG-0103`. Required. */
  code: string;
  /** The citizen or enterprise the change concerns, from the arguments and the principal. */
  subject?: (args: Record<string, any>, ctx: SubgraphContext) => SubjectInput | null;
  /** Case number (办件编号) known before the call, if any. */
  caseNumber?: (args: Record<string, any>) => string | null;
  /** Case number learnt from the result (e.g. one the department assigns on filing); put on the outcome record. */
  caseNumberOf?: (result: any) => string | null;
  /** Argument keys holding personal data, stored masked (the digest still covers them). */
  sensitiveArgs?: readonly string[];
}

type Resolve = (parent: unknown, args: Record<string, any>, ctx: SubgraphContext, info: GraphQLResolveInfo) => unknown;

function codeOf(e: unknown): string {
  if (isCityGraphError(e)) return e.code;
  const code = (e as { extensions?: { code?: unknown } })?.extensions?.code;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL;
}

function unavailable(cause: unknown): CityGraphError {
  if (isCityGraphError(cause) && cause.code === ErrorCode.SUPERVISION_UNAVAILABLE) return cause;
  return new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, 'The supervision store cannot record this change, so it was not made. Try again later.', { cause });
}

/** Builds the graphql-middleware map that records every Mutation field of a department. */
export function supervisionMiddleware(department: string, store: SupervisionStore, powers: Record<string, PowerItem>) {
  const wrapped: Record<string, (resolve: Resolve, parent: unknown, args: Record<string, any>, ctx: SubgraphContext, info: GraphQLResolveInfo) => Promise<unknown>> = {};
  for (const [field, power] of Object.entries(powers)) {
    wrapped[field] = async (resolve, parent, args, ctx, info) => {
      const p = ctx.principal;
      const intent: IntentInput = {
        department,
        actor: { role: p.role, department: p.department, client: p.client, sub: p.sub, onBehalfOf: p.onBehalfOf },
        operation: info.operation.name?.value ?? null,
        field: `Mutation.${field}`,
        powerItem: power.code,
        subject: safely(() => power.subject?.(args, ctx) ?? null),
        caseNumber: safely(() => power.caseNumber?.(args) ?? null),
        args,
        sensitiveKeys: power.sensitiveArgs,
        requestId: ctx.requestId,
      };
      let ref;
      try {
        ref = await store.appendIntent(intent);
      } catch (e) {
        ctx.log.error({ err: e, field }, 'supervision intent not written; mutation refused');
        throw unavailable(e);
      }
      let result: unknown;
      try {
        result = await settle(resolve(parent, args, ctx, info));
      } catch (e) {
        const code = codeOf(e);
        try {
          await store.appendOutcome(ref, { outcome: code === ErrorCode.FORBIDDEN ? 'DENIED' : 'ERROR', errorCode: code });
        } catch (w) {
          // The intent stays open; the store marks it OUTCOME_UNKNOWN at its next recovery (periodic). The client sees its error.
          ctx.log.error({ err: w, field }, 'supervision outcome not written');
        }
        throw e;
      }
      try {
        await store.appendOutcome(ref, { outcome: 'SUCCESS', caseNumber: safely(() => power.caseNumberOf?.(result) ?? null) });
      } catch (w) {
        // A change the supervisors cannot see must not look successful to the client.
        ctx.log.error({ err: w, field }, 'supervision outcome not written after the change');
        throw unavailable(w);
      }
      return result;
    };
  }
  return { Mutation: wrapped };
}

/** A read that is itself recorded (e.g. an auditor reading the supervision store). */
export interface RecordedRead {
  /** The citizen or enterprise the read concerns, from the arguments. */
  subject?: (args: Record<string, any>) => SubjectInput | null;
  /** Argument keys holding personal data, stored masked. */
  sensitiveArgs?: readonly string[];
}

/**
 * Builds the middleware that records every read of the given Query fields, allowed or denied, in the
 * `chain` department. Fail closed: a read that cannot be recorded returns no data.
 */
export function accessRecordMiddleware(chain: string, store: SupervisionStore, reads: Record<string, RecordedRead>) {
  const wrapped: Record<string, (resolve: Resolve, parent: unknown, args: Record<string, any>, ctx: SubgraphContext, info: GraphQLResolveInfo) => Promise<unknown>> = {};
  for (const [field, read] of Object.entries(reads)) {
    wrapped[field] = async (resolve, parent, args, ctx, info) => {
      const p = ctx.principal;
      const base = {
        department: chain,
        actor: { role: p.role, department: p.department, client: p.client, sub: p.sub, onBehalfOf: p.onBehalfOf },
        operation: info.operation.name?.value ?? null,
        field: `Query.${field}`,
        subject: safely(() => read.subject?.(args) ?? null),
        args,
        sensitiveKeys: read.sensitiveArgs,
        requestId: ctx.requestId,
      };
      let result: unknown;
      try {
        result = await settle(resolve(parent, args, ctx, info));
      } catch (e) {
        const code = codeOf(e);
        if (code === ErrorCode.FORBIDDEN) {
          await store.appendAccess({ ...base, outcome: 'DENIED', errorCode: code }).catch((w: unknown) => ctx.log.error({ err: w, field }, 'denied read not recorded'));
        }
        throw e;
      }
      try {
        await store.appendAccess({ ...base, outcome: 'SUCCESS' });
      } catch (w) {
        ctx.log.error({ err: w, field }, 'read not recorded; answer withheld');
        throw unavailable(w);
      }
      return result;
    };
  }
  return { Query: wrapped };
}

/** graphql-shield *returns* its denial error instead of throwing it; treat a returned Error as thrown. */
async function settle(value: unknown): Promise<unknown> {
  const result = await value;
  if (result instanceof Error) throw result;
  return result;
}

function safely<T>(f: () => T | null): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
