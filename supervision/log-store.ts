/**
 * The store contract written once over a `StoreBackend`: drafting, fail-closed error mapping,
 * automatic checkpoints, paging, proofs and the integrity summary.
 */
import { randomUUID } from 'node:crypto';
import { badInput, CityGraphError, ErrorCode, isCityGraphError } from '../core/errors.ts';
import type { StoreBackend } from './backend.ts';
import { cosignatureSchema, cosignatureValid, parseCheckpoint, type Checkpoint, type Cosignature } from './checkpoint.ts';
import { leafHash, MerkleFrontier } from './merkle.ts';
import { ChainTree } from './merkle-ranges.ts';
import { addSignedCheckpoint, writeCheckpointExport } from './maintenance.ts';
import type { SqlFilter } from './columns.ts';
import { draftAccess, draftIntent, draftOutcome, type DraftOptions } from './draft.ts';
import type { GroupEntry } from './group.ts';
import { pseudonymOf } from './pseudonym.ts';
import { OUTCOMES, refOf, sealRecord, type Outcome, type RecordDraft, type RecordRef, type SupervisionRecord } from './record.ts';
import type { Signer } from './signing.ts';
import type {
  AccessInput, ConsistencyProof, IntegritySummary, IntentInput, OutcomeInput, PageRequest, RecordFilter, RecordPage, RecordProof, SupervisionStore,
} from './store.ts';
import { verifyStore } from './verify-store.ts';

/** Options of a log store, already validated by `openSupervisionStore`. */
export interface LogStoreOptions extends DraftOptions {
  /** Signs checkpoints. */
  signer: Signer;
  /** Write a checkpoint after this many appends by this process (0 = never). */
  checkpointEvery: number;
  /** Write a checkpoint this often when records were appended since the last (0 = never), ms. */
  checkpointIntervalMs: number;
  /** Called with background failures (automatic checkpoints, lease renewals); default ignore. */
  onError: (error: unknown) => void;
  /** This process as an instance holding a lease (leases.ts); null: intents without owner. */
  instance?: { id: string; department: string; leaseMs: number } | null;
  /** Where the store is (a SQLite file or `postgres://…`): `integrity` verifies it through verifyStore, in worker threads for large stores. */
  location: string;
}

/** Least time between two checkpoints triggered by the count of access records, ms. */
const ACCESS_CHECKPOINT_GAP_MS = 1000;

/** Most records (intents, outcomes, accesses) committed in one transaction. */
const MAX_GROUP = 256;

/** Open intents this process sealed, kept so their outcomes need not read them back. */
const MAX_OWN_INTENTS = 10_000;

/** One waiting append of the group commit. */
interface Waiting {
  /** The entries of one call, committed in one transaction. */
  entries: GroupEntry[];
  /** What the store could not do when the transaction fails, for the caller's error. */
  what: string;
  resolve: (r: SupervisionRecord[]) => void;
  reject: (e: unknown) => void;
}

/** Largest page of `query`. */
export const MAX_PAGE_SIZE = 100;
/** Most checkpoints `checkpoints({ last })` answers. */
export const MAX_CHECKPOINTS_PAGE = 1000;

/** The contract implementation shared by every backend. */
export class LogStore implements SupervisionStore {
  readonly backend: 'sqlite' | 'postgres';
  private closed = false;
  private sinceCheckpoint = 0;
  private running: Promise<unknown> | null = null;
  private readonly timer: NodeJS.Timeout | null;
  private readonly group: Waiting[] = [];
  private readonly ownIntents = new Map<number, SupervisionRecord>();
  private flushing = false;
  /** Settles when the running group commit has drained the queue. */
  private flushed: Promise<void> = Promise.resolve();
  private lastCheckpointAt = 0;
  /** Merkle frontiers of the chains, kept so each checkpoint's roots cost only the records since the last. */
  private readonly frontiers = new Map<string, MerkleFrontier>();
  /** Each chain's Merkle tree for proofs, its complete subtrees remembered (merkle-ranges.ts). */
  private readonly trees = new Map<string, ChainTree>();
  /** Random per process: tells this process's lease from another's under the same instance id. */
  private readonly incarnation = randomUUID();
  private heartbeat: NodeJS.Timeout | null = null;
  /** This process's intents whose outcome could not be written (store down): no one else will close them while its lease lives. */
  private readonly stranded = new Map<number, SupervisionRecord>();
  /**
   * Sealing time of the newest intent in a group whose transaction failed without telling whether it
   * committed (a connection lost after COMMIT was sent, a writer thread gone): such an intent may be in
   * the store, owned by this instance, yet unknown to this process. '' when there is no doubt.
   */
  private inDoubtUpTo = '';
  /** Intents marked by `startInstance`, reported by the first `recoverUnfinished`. */
  private markedAtStart = 0;
  /** The integrity check in flight, shared by every `integrity()` call meanwhile. */
  private verifying: Promise<IntegritySummary> | null = null;

  private readonly db: StoreBackend;
  private readonly o: LogStoreOptions;
  constructor(db: StoreBackend, o: LogStoreOptions) {
    this.db = db;
    this.o = o;
    this.backend = db.kind;
    this.timer = o.checkpointIntervalMs > 0 ? setInterval(() => this.autoCheckpoint(), o.checkpointIntervalMs) : null;
    // The timer must never keep a process alive on its own.
    this.timer?.unref();
  }

  /**
   * Takes this instance's lease, marks the open intents a previous process under the same id left
   * (none of this process's can exist yet) and those of expired instances, then renews the lease every
   * third of its length. Called once, by `openSupervisionStore`, before the store is handed out.
   */
  async startInstance(): Promise<number> {
    const me = this.o.instance;
    if (!me) return 0;
    const before = await this.db.leases.renew(me.id, me.department, this.incarnation, me.leaseMs);
    if (before?.live) this.o.onError(new Error(`Instance id ${me.id} had a live lease (until ${new Date(before.expiresAt).toISOString()}): a previous process that just died, or another process using the same id — give each instance its own.`));
    // Intents without owner wait for `recoverUnfinished` and its age rule (cutoff '' matches none).
    const marked = await this.mark(await this.db.leases.orphanedIntents(me.id, '', true));
    this.markedAtStart = marked;
    this.heartbeat = setInterval(() => {
      this.db.leases.renew(me.id, me.department, this.incarnation, me.leaseMs).then((prev) => {
        if (prev && prev.incarnation !== this.incarnation && prev.live) this.o.onError(new Error(`Instance id ${me.id} is renewed by another process too; give each instance its own id.`));
      }, (e: unknown) => this.o.onError(unavailable(`renew the lease of instance ${me.id}`, e)));
    }, Math.max(250, Math.floor(me.leaseMs / 3)));
    this.heartbeat.unref();
    return marked;
  }

  async appendIntent(input: IntentInput): Promise<RecordRef> {
    const instance = this.o.instance?.id ?? null;
    return this.append(() => draftIntent(input, 'PENDING', null, this.o), undefined, instance, (record) => {
      // Its outcome drafts from it without reading it back (records never change once sealed).
      this.ownIntents.set(record.seq, record);
      if (this.ownIntents.size > MAX_OWN_INTENTS) this.ownIntents.delete(this.ownIntents.keys().next().value!);
    });
  }

  async appendDenied(input: IntentInput, errorCode = 'FORBIDDEN'): Promise<RecordRef> {
    return this.append(() => draftIntent(input, 'DENIED', errorCode, this.o), undefined, null);
  }

  async appendOutcome(intent: RecordRef, outcome: OutcomeInput): Promise<RecordRef> {
    const found = this.ownIntents.get(intent.seq) ?? (await this.read('record', () => this.db.get(intent.seq)));
    if (!found || found.kind !== 'intent' || found.hash !== intent.hash) {
      throw badInput(`There is no intent seq ${intent.seq} with that hash to close.`, 'supervision.intent');
    }
    try {
      return await this.append(() => draftOutcome(found, outcome), outcome.outcome, null, () => {
        this.ownIntents.delete(intent.seq);
        this.stranded.delete(intent.seq);
      });
    } catch (e) {
      // The next recovery (periodic) marks it OUTCOME_UNKNOWN once the store is back.
      if (!(isCityGraphError(e) && e.code === ErrorCode.BAD_USER_INPUT)) this.stranded.set(intent.seq, found);
      else this.stranded.delete(intent.seq);
      throw e;
    }
  }

  async appendAccess(input: AccessInput): Promise<RecordRef> {
    return (await this.appendAccesses([input]))[0]!;
  }

  async appendAccesses(inputs: readonly AccessInput[]): Promise<RecordRef[]> {
    this.assertOpen();
    if (inputs.length === 0) return [];
    const entries = inputs.map((input) => ({ draft: draftAccess(input, this.o) })); // validation errors surface before any write
    const records = await this.enqueueAll(entries, inputs.length === 1 ? 'record this read, so its answer is withheld' : 'record these reads, so their answer is withheld');
    this.counted(true, records.length);
    return records.map(refOf);
  }

  /** Group commit of one append (see enqueueAll). */
  private async enqueue(entry: GroupEntry, what: string): Promise<SupervisionRecord> {
    return (await this.enqueueAll([entry], what))[0]!;
  }

  /**
   * Group commit. Appends of one event-loop turn, and those arriving while a commit is in flight, wait
   * together and go into one transaction; each promise settles only after that transaction committed
   * (durable) or failed (every append of the group rejected, none acknowledged). The entries of one
   * call always share one transaction: a request's access records are all durable, or none is.
   */
  private enqueueAll(entries: GroupEntry[], what: string): Promise<SupervisionRecord[]> {
    return new Promise<SupervisionRecord[]>((resolve, reject) => {
      this.group.push({ entries, what, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // One turn of the event loop gathers the appends of concurrent requests into one commit.
        this.flushed = new Promise<void>((done) => setImmediate(() => void this.flushGroup().finally(done)));
      }
    });
  }

  /** Commits the waiting appends, a group per transaction (about MAX_GROUP entries, one call's never split), until none wait. */
  private async flushGroup(): Promise<void> {
    try {
      while (this.group.length > 0) {
        let take = 0;
        for (let n = 0; take < this.group.length && (take === 0 || n + this.group[take]!.entries.length <= MAX_GROUP); take++) n += this.group[take]!.entries.length;
        const batch = this.group.splice(0, take);
        let results: (SupervisionRecord | Error)[];
        try {
          results = await this.db.appendMany(batch.flatMap((b) => b.entries), (d, p) => sealRecord(d, p, this.o.hash));
        } catch (e) {
          // Drafts are sealed inside the failed transaction, so its intents' times are at most now.
          if (batch.some((b) => b.entries.some((x) => x.draft.kind === 'intent' && x.instance))) this.inDoubtUpTo = new Date().toISOString();
          for (const b of batch) b.reject(isCityGraphError(e) ? e : unavailable(b.what, e));
          continue;
        }
        let at = 0;
        for (const b of batch) {
          const mine = results.slice(at, (at += b.entries.length));
          const failed = mine.find((r): r is Error => r instanceof Error);
          if (!failed) b.resolve(mine as SupervisionRecord[]);
          else b.reject(isCityGraphError(failed) ? failed : unavailable(b.what, failed));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  async recoverUnfinished(options: { olderThanMs?: number } = {}): Promise<number> {
    const cutoff = new Date(Date.now() - (options.olderThanMs ?? 0)).toISOString();
    const me = this.o.instance;
    // An instance marks only what no live instance owns; a lone process without id, every open intent old enough.
    const open = me
      ? await this.read('open intents', () => this.db.leases.orphanedIntents(me.id, cutoff))
      : (await this.read('open intents', () => this.db.openIntents())).filter((r) => r.time <= cutoff);
    const atStart = this.markedAtStart;
    this.markedAtStart = 0;
    // Plus this process's own intents whose outcome could not be written: the change is over, its outcome unknown to the log.
    const seqs = new Set(open.map((r) => r.seq));
    const mine = [...this.stranded.values()].filter((r) => !seqs.has(r.seq));
    // And its own intents committed by a transaction it saw fail: in the store, owned here, known nowhere
    // in this process (neither open in `ownIntents` nor stranded), sealed before that failure.
    const doubt = this.inDoubtUpTo;
    if (me && doubt) {
      for (const r of await this.read('open intents', () => this.db.leases.orphanedIntents(me.id, '', true))) {
        if (!seqs.has(r.seq) && !this.ownIntents.has(r.seq) && !this.stranded.has(r.seq) && r.time <= doubt) mine.push(r);
      }
    }
    const marked = atStart + (await this.mark([...open, ...mine]));
    if (this.inDoubtUpTo === doubt) this.inDoubtUpTo = '';
    return marked;
  }

  /** Closes each intent with OUTCOME_UNKNOWN; returns how many it closed. */
  private async mark(open: SupervisionRecord[]): Promise<number> {
    let marked = 0;
    for (const intent of open) {
      try {
        await this.appendOutcome(refOf(intent), { outcome: 'OUTCOME_UNKNOWN', errorCode: 'OUTCOME_UNKNOWN' });
        marked++;
      } catch (e) {
        // Another process closed it meanwhile: not ours to mark.
        if (!(isCityGraphError(e) && e.code === ErrorCode.BAD_USER_INPUT)) throw e;
      }
    }
    return marked;
  }

  async query(filter: RecordFilter, page: PageRequest): Promise<RecordPage> {
    const first = page.first;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw badInput(`first must be an integer from 1 to ${MAX_PAGE_SIZE}.`, 'supervision.pageSize', { limit: MAX_PAGE_SIZE });
    }
    const afterSeq = page.after ? decodeCursor(page.after) : 0;
    const sql = this.sqlFilter(filter);
    const { records, total } = await this.read('records', () => this.db.query(sql, afterSeq, first + 1, page.count !== false));
    const shown = records.slice(0, first);
    const last = shown[shown.length - 1];
    return { records: shown, pageInfo: { endCursor: last ? encodeCursor(last.seq) : null, hasNextPage: records.length > first }, totalCount: total };
  }

  async get(seq: number): Promise<SupervisionRecord | null> {
    if (!Number.isSafeInteger(seq) || seq < 1) return null;
    return this.read('record', () => this.db.get(seq));
  }

  async proof(seq: number): Promise<RecordProof | null> {
    const record = await this.get(seq);
    if (!record) return null;
    const next = await this.read('record', () => this.db.byDeptSeq(record.department, record.deptSeq + 1));
    const covers = (c: Checkpoint) => c.heads.find((h) => h.department === record.department && h.deptSeq >= record.deptSeq);
    // The newest checkpoint with a root: the one an auditor most likely holds, and a witness cosigned.
    // Checkpoints never go backwards, so the newest one covers every record any covers; all of them are
    // read only when it has no root for the chain (a store signed before roots existed).
    const [newest] = await this.checkpoints({ last: 1 });
    let withRoot = newest && covers(newest)?.root ? newest : undefined;
    let all: Checkpoint[] | null = null;
    if (!withRoot && newest && covers(newest)) {
      all = await this.checkpoints();
      withRoot = [...all].reverse().find((c) => covers(c)?.root);
    }
    const base = { record, previous: record.prevHash, next: next?.hash ?? null };
    if (!withRoot) {
      const pending = `Record seq ${seq} is not yet covered by a checkpoint with a Merkle root; the next checkpoint covers it (they are signed every ${this.o.checkpointEvery} records or ${Math.round(this.o.checkpointIntervalMs / 1000)} s).`;
      return { ...base, checkpoint: all?.find((c) => covers(c)) ?? null, inclusion: null, pending };
    }
    const head = covers(withRoot)!;
    const auditPath = await this.read('chain', () => this.treeOf(record.department).inclusion(record.deptSeq - 1, head.deptSeq));
    const inclusion = {
      department: record.department, leafIndex: record.deptSeq - 1, treeSize: head.deptSeq, leafHash: leafHash(this.o.hash, record.hash),
      auditPath, root: head.root!, checkpointId: withRoot.id,
    };
    return { ...base, checkpoint: withRoot, inclusion, pending: null };
  }

  async consistencyProof(department: string, fromSize: number, toSize: number): Promise<ConsistencyProof> {
    if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize) || fromSize < 1 || toSize < fromSize) {
      throw badInput(`A consistency proof goes from a smaller tree to a larger one: 1 ≤ fromSize ≤ toSize, not ${fromSize} → ${toSize}.`, 'supervision.treeSize');
    }
    const snap = await this.read('heads', () => this.db.heads());
    const length = snap.heads.find((h) => h.department === department)?.deptSeq ?? 0;
    if (toSize > length) {
      throw badInput(`The ${department} chain has ${length} records; there is no tree of ${toSize}.`, 'supervision.treeSize', { length });
    }
    const tree = this.treeOf(department);
    // One after the other: the first fills the tree's remembered subtrees, which the other two then reuse
    // (side by side, each would read the same records of a chain not yet remembered).
    return this.read('chain', async () => {
      const toRoot = await tree.root(0, toSize);
      return { department, fromSize, toSize, fromRoot: await tree.root(0, fromSize), toRoot, proof: await tree.consistency(fromSize, toSize) };
    });
  }

  /** The proof tree of one chain (kept per chain: its remembered subtrees serve every later proof). */
  private treeOf(department: string): ChainTree {
    let tree = this.trees.get(department);
    if (!tree) {
      tree = new ChainTree(this.o.hash, (after, limit) => this.db.chainHashes(department, after, limit));
      this.trees.set(department, tree);
    }
    return tree;
  }

  async addCosignature(c: Cosignature): Promise<void> {
    this.assertOpen();
    const parsed = cosignatureSchema.safeParse(c);
    if (!parsed.success) throw badInput('That is not a cosignature: checkpointId, keyId, algorithm, publicKeyPem, time, signature.', 'supervision.cosignature');
    const text = await this.read('checkpoints', () => this.db.checkpointText(c.checkpointId));
    const cp = text === null ? null : parseCheckpoint(text);
    if (!cp) throw badInput(`There is no checkpoint ${c.checkpointId} to cosign.`, 'supervision.cosignature');
    if (!cosignatureValid(cp, parsed.data as Cosignature)) throw badInput(`The cosignature of checkpoint ${c.checkpointId} does not verify under the key it names.`, 'supervision.cosignature');
    await this.read('cosignatures', () => this.db.saveCosignature(c.checkpointId, c.keyId, JSON.stringify(parsed.data)));
  }

  async cosignatures(id?: number): Promise<Cosignature[]> {
    const texts = await this.read('cosignatures', () => this.db.cosignatureTexts(id));
    return texts.map((t) => cosignatureSchema.safeParse(JSON.parse(t))).filter((r) => r.success).map((r) => r.data as Cosignature);
  }

  async checkpoint(): Promise<Checkpoint> {
    this.assertOpen();
    try {
      const covered = this.sinceCheckpoint;
      const cp = await addSignedCheckpoint(this.db, this.o.signer, this.o.hash, this.frontiers, (department) => {
        // The chain's frontier hands each large subtree it forms to the proofs' tree: the first proof needs no full read.
        const f = new MerkleFrontier(this.o.hash);
        f.onSubtree = (start, size, hash) => this.treeOf(department).remember(start, size, hash);
        return f;
      });
      // Appends that landed while it was being signed count towards the next one.
      this.sinceCheckpoint = Math.max(0, this.sinceCheckpoint - covered);
      this.lastCheckpointAt = Date.now();
      return cp;
    } catch (e) {
      throw unavailable('sign a checkpoint', e);
    }
  }

  async checkpoints(options: { last?: number } = {}): Promise<Checkpoint[]> {
    const { last } = options;
    if (last !== undefined && (!Number.isInteger(last) || last < 1 || last > MAX_CHECKPOINTS_PAGE)) {
      throw badInput(`last must be an integer from 1 to ${MAX_CHECKPOINTS_PAGE}.`, 'supervision.pageSize', { limit: MAX_CHECKPOINTS_PAGE });
    }
    const texts = await this.read('checkpoints', () => this.db.checkpointTexts(last));
    return texts.map(parseCheckpoint).filter((c): c is Checkpoint => c !== null);
  }

  async exportCheckpoints(file: string): Promise<void> {
    await this.read('checkpoints', () => writeCheckpointExport(this.db, file));
  }

  integrity(): Promise<IntegritySummary> {
    this.assertOpen();
    // One verification at a time: callers asking meanwhile share it (each is a read of the whole log).
    this.verifying ??= this.verifyNow().finally(() => {
      this.verifying = null;
    });
    return this.verifying;
  }

  private async verifyNow(): Promise<IntegritySummary> {
    const [snap, [lastCheckpoint]] = await Promise.all([this.read('heads', () => this.db.heads()), this.checkpoints({ last: 1 })]);
    // Through verifyStore: a large store is checked by worker threads on their own connections, and this
    // process's event loop keeps serving meanwhile (a million records in-process held it for 24 s).
    const result = await this.read('records', () => verifyStore({ db: this.o.location }));
    return {
      ok: result.ok,
      records: result.records,
      departments: snap.heads.map((h) => ({ department: h.department, head: h.hash, length: h.deptSeq })),
      lastCheckpoint: lastCheckpoint ?? null,
      problems: result.problems.map((p) => `${p.kind}: ${p.message}`),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Appends accepted before close are committed (or rejected) before the database goes.
    await this.flushed;
    await this.running?.catch(() => undefined);
    // A clean stop ends the lease at once: whatever is still open (nothing, after a drain) is recovered now, not after it runs out.
    if (this.o.instance) await this.db.leases.release(this.o.instance.id, this.incarnation).catch((e: unknown) => this.o.onError(e));
    await this.db.close();
  }

  private async append(
    draft: () => RecordDraft,
    closes?: Exclude<Outcome, 'PENDING'>,
    instance: string | null = null,
    committed?: (record: SupervisionRecord) => void,
  ): Promise<RecordRef> {
    this.assertOpen();
    const d = draft(); // validation errors (BAD_USER_INPUT) surface before any write
    const record = await this.enqueue({ draft: d, ...(closes ? { closes } : {}), ...(instance ? { instance } : {}) }, 'record this change, so it is refused');
    committed?.(record);
    this.counted();
    return refOf(record);
  }

  private counted(access = false, records = 1): void {
    this.sinceCheckpoint += records;
    if (this.o.checkpointEvery <= 0 || this.sinceCheckpoint < this.o.checkpointEvery) return;
    // Reads come by the hundred per request: by count they would sign (≈30 ms of SM2) on every request,
    // so they trigger at most one checkpoint a second; the interval timer covers the rest.
    if (access && Date.now() - this.lastCheckpointAt < ACCESS_CHECKPOINT_GAP_MS) return;
    this.autoCheckpoint();
  }

  private autoCheckpoint(): void {
    if (this.closed || this.running || this.sinceCheckpoint === 0) return;
    this.running = this.checkpoint()
      .catch((e) => this.o.onError(e))
      .finally(() => {
        this.running = null;
        if (this.o.checkpointEvery > 0 && this.sinceCheckpoint >= this.o.checkpointEvery) this.autoCheckpoint();
      });
  }

  private async read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await fn();
    } catch (e) {
      if (isCityGraphError(e)) throw e;
      throw unavailable(`read the ${what}`, e);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw unavailable('record or read anything: it is closed', undefined);
  }

  private sqlFilter(f: RecordFilter): SqlFilter {
    if (f.outcome !== undefined && !OUTCOMES.includes(f.outcome)) throw badInput(`Unknown outcome ${String(f.outcome)}.`, 'supervision.outcome');
    const time = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      const t = new Date(v);
      if (Number.isNaN(t.getTime())) throw badInput(`${name} must be an ISO date-time.`, 'supervision.time', { field: name });
      return t.toISOString();
    };
    const out: SqlFilter = {
      department: f.department, actorRole: f.actorRole, operation: f.operation, field: f.field, powerItem: f.powerItem,
      caseNumber: f.caseNumber, outcome: f.outcome, kind: f.kind, from: time(f.from, 'from'), to: time(f.to, 'to'),
      subjectHmac: f.subjectId === undefined ? undefined : pseudonymOf(f.subjectId, this.o.subjectKey, this.o.hash).hmac,
    };
    for (const k of Object.keys(out) as (keyof SqlFilter)[]) if (out[k] === undefined) delete out[k];
    return out;
  }
}

/** The one error of a store that cannot do its job; the cause stays for the server log. */
export function unavailable(what: string, cause: unknown): CityGraphError {
  return new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, `The supervision store cannot ${what}.`, { cause });
}

/** The opaque page cursor of a record, as `query` issues it. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badInput('The cursor is not one this log issued.', 'supervision.cursor');
  return Number(m[1]);
}
