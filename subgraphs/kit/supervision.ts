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
  /**
   * Looked up before the intent is written, for a record whose subject or arguments only a legacy
   * system knows (a document's holder and certificate type: the licence library). Its `subject`
   * replaces `subject`'s; its `args` are recorded beside the mutation's own. It receives the raw
   * arguments (validation runs inside the record) and must not change anything. A rejection is
   * logged and the intent written without it. Default none.
   */
  prepare?: (args: Record<string, any>, ctx: SubgraphContext) => Promise<{ subject?: SubjectInput | null; args?: Record<string, unknown> } | null>;
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

/** What `recordMutation` records: the chain, the field and its power item, the arguments. */
export interface RecordedMutation {
  /** Department chain to record in, e.g. `documents`. */
  department: string;
  /** The field, e.g. `Mutation.useDocument`. */
  field: string;
  /** The power item exercised, with how to find subject and case number. */
  power: PowerItem;
  /** The mutation's arguments (digested whole, stored redacted). */
  args: Record<string, any>;
  /** GraphQL operation name; default null. */
  operation?: string | null;
}

/**
 * Runs `run` as one recorded mutation: the intent first (durable; when it cannot be written nothing
 * runs and SUPERVISION_UNAVAILABLE is thrown), then the outcome: `SUCCESS`, `DENIED` (FORBIDDEN) or
 * `ERROR` with the thrown error's code. The middleware applies it to every Mutation field; a subgraph
 * uses it directly for a change made on the platform's own initiative in another chain (e.g. the
 * services subgraph's automatic use of a document, recorded as `documents` `Mutation.useDocument`).
 */
export async function recordMutation<T>(store: SupervisionStore, ctx: SubgraphContext, m: RecordedMutation, run: () => Promise<T> | T): Promise<T> {
  const p = ctx.principal;
  const { power, args } = m;
  // What only a legacy system knows (a document's holder and type) is looked up before the intent; a
  // failure here is not the mutation's: the intent is written without it and the resolver reports it.
  const prepared = power.prepare ? await power.prepare(args, ctx).catch((e: unknown) => (ctx.log.debug({ err: e, field: m.field }, 'record preparation failed'), null)) : null;
  const intent: IntentInput = {
    department: m.department,
    actor: { role: p.role, department: p.department, client: p.client, sub: p.sub, onBehalfOf: p.onBehalfOf },
    operation: m.operation ?? null,
    field: m.field,
    powerItem: power.code,
    subject: prepared?.subject !== undefined ? prepared.subject : safely(() => power.subject?.(args, ctx) ?? null),
    caseNumber: safely(() => power.caseNumber?.(args) ?? null),
    args: prepared?.args ? { ...args, ...prepared.args } : args,
    sensitiveKeys: power.sensitiveArgs,
    requestId: ctx.requestId,
  };
  let ref;
  try {
    ref = await store.appendIntent(intent);
  } catch (e) {
    ctx.log.error({ err: e, field: m.field }, 'supervision intent not written; mutation refused');
    throw unavailable(e);
  }
  let result: T;
  try {
    result = (await settle(run())) as T;
  } catch (e) {
    const code = codeOf(e);
    try {
      await store.appendOutcome(ref, { outcome: code === ErrorCode.FORBIDDEN ? 'DENIED' : 'ERROR', errorCode: code });
    } catch (w) {
      // The intent stays open; the store marks it OUTCOME_UNKNOWN at its next recovery (periodic). The client sees its error.
      ctx.log.error({ err: w, field: m.field }, 'supervision outcome not written');
    }
    throw e;
  }
  try {
    await store.appendOutcome(ref, { outcome: 'SUCCESS', caseNumber: safely(() => power.caseNumberOf?.(result) ?? null) });
  } catch (w) {
    // A change the supervisors cannot see must not look successful to the client.
    ctx.log.error({ err: w, field: m.field }, 'supervision outcome not written after the change');
    throw unavailable(w);
  }
  return result;
}

/** Builds the graphql-middleware map that records every Mutation field of a department. */
export function supervisionMiddleware(department: string, store: SupervisionStore, powers: Record<string, PowerItem>) {
  const wrapped: Record<string, (resolve: Resolve, parent: unknown, args: Record<string, any>, ctx: SubgraphContext, info: GraphQLResolveInfo) => Promise<unknown>> = {};
  for (const [field, power] of Object.entries(powers)) {
    wrapped[field] = (resolve, parent, args, ctx, info) =>
      recordMutation(store, ctx, { department, field: `Mutation.${field}`, power, args, operation: info.operation.name?.value ?? null }, () => resolve(parent, args, ctx, info));
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
