/**
 * Test harness: the same contract and tamper suites run on SQLite (a temp folder) and PostgreSQL (a
 * unique schema per context, dropped afterwards), so parallel runs never collide. PostgreSQL is never
 * skipped: CI always has it, and a missing server must fail the run.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSupervisionStore, type SupervisionConfig, type SupervisionStore } from '../index.ts';
import type { RecordRef } from '../record.ts';

/** The PostgreSQL server of the tests; default the CI one. */
export const PG_URL = process.env.SUPERVISION_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A 32-character test subject key. */
export const SUBJECT_KEY = 'test-subject-key-0123456789abcdef';

/** One isolated store location with raw SQL access for tampering. */
export interface TestContext {
  name: 'sqlite' | 'postgres';
  /** Where the store is: a SQLite file path or a `postgres://…?schema=…` URL. */
  db: string;
  /** Folder for keys (and the SQLite file). */
  dataDir: string;
  /** Opens a store here; checkpoints are manual unless `extra` says otherwise. */
  open(extra?: Partial<SupervisionConfig>): Promise<SupervisionStore>;
  /** Runs raw SQL with `?` placeholders on a separate connection, returning rows. */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Drops everything. */
  cleanup(): Promise<void>;
}

/** Backends every contract test runs on. */
export const BACKENDS: { name: 'sqlite' | 'postgres'; create: () => Promise<TestContext> }[] = [
  { name: 'sqlite', create: sqliteContext },
  { name: 'postgres', create: pgContext },
];

function baseOpen(db: string, dataDir: string) {
  return (extra: Partial<SupervisionConfig> = {}) =>
    openSupervisionStore({ url: db, dataDir, subjectKey: SUBJECT_KEY, checkpointEvery: 0, checkpointIntervalMs: 0, ...extra });
}

async function sqliteContext(): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-sv-'));
  const db = join(dataDir, 'supervision.db');
  return {
    name: 'sqlite',
    db,
    dataDir,
    open: baseOpen(db, dataDir),
    async sql(text, params = []) {
      const conn = new DatabaseSync(db, { timeout: 5000 });
      try {
        const stmt = conn.prepare(text);
        return stmt.columns().length > 0 ? (stmt.all(...(params as never[])) as Record<string, unknown>[]) : (stmt.run(...(params as never[])), []);
      } finally {
        conn.close();
      }
    },
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function pgContext(): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-sv-pg-'));
  const schema = `sv_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path = ${schema}`);
  const db = `${PG_URL}?schema=${schema}`;
  return {
    name: 'postgres',
    db,
    dataDir,
    open: baseOpen(db, dataDir),
    async sql(text, params = []) {
      let i = 0;
      const r = await admin.query(text.replace(/\?/g, () => `$${++i}`), params);
      return r.rows as Record<string, unknown>[];
    },
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A resident ID that passes GB 11643 (the demo citizen's). */
export const CITIZEN_ID = '210102199003074514';

/** Appends `mutations` intent+outcome pairs alternating between two departments; returns the intents. */
export async function seed(store: SupervisionStore, mutations = 6): Promise<RecordRef[]> {
  const intents: RecordRef[] = [];
  for (let i = 0; i < mutations; i++) {
    const department = i % 3 === 2 ? 'medicalInsurance' : 'population';
    const intent = await store.appendIntent({
      department,
      actor: { role: 'citizen', sub: CITIZEN_ID, client: 'demo-app' },
      operation: 'UpdatePhone',
      field: 'Mutation.updateContactPhone',
      powerItem: 'GA-2101-0042',
      subject: { kind: 'citizen', id: CITIZEN_ID },
      args: { id: CITIZEN_ID, phone: `1381234${String(5670 + i)}` },
      requestId: `req-${i}`,
    });
    intents.push(intent);
    await store.appendOutcome(intent, { outcome: i === 4 ? 'ERROR' : 'SUCCESS', errorCode: i === 4 ? 'LEGACY_ERROR' : null });
  }
  return intents;
}
