/**
 * Stand-in for the housing fund's front-end exchange database (前置库). The database itself is a real
 * SQLite file that this process creates and seeds at start; consumers (the adapter) open that file
 * themselves and speak SQL to it, exactly as they would to the fund's real front-end database. This
 * process only plays the fund's side: it owns the tables, and over HTTP it serves the test levers —
 * `GET /__stats` (the statements consumers wrote to the exchange log SJJH_RZ), `POST /__stats/reset`,
 * and `POST /__faults` (hold an exclusive lock on the tables; put text in an amount column).
 */
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXCHANGE_LOG_SCHEMA, exchangeLogFile, openFundDatabase } from '../client.ts';
import { openSqliteFrontDb, type FrontDb } from '../sql.ts';
import { generateFund, type FundSamples } from './data.ts';
import { ACCOUNT_INSERT_COLUMNS, REQUEST_INSERT_COLUMNS, TABLES_DDL, exchangeLogDdl } from './tables.ts';
import { DEMO_CITIZEN_ID } from '../../population/standin/data.ts';
import { readBody } from '../../kit/standin-http.ts';

/** Largest request body the stand-in reads. */
const MAX_BODY_BYTES = 64 * 1024;

export { generateFund, DEMO_ACCOUNT_NO, type FundSamples } from './data.ts';
export { TABLES_DDL, exchangeLogDdl } from './tables.ts';

/** Options of the stand-in. */
export interface HousingFundStandInOptions {
  /** Path of the SQLite file; replaced by a freshly seeded one at start. Required. */
  database: string;
  /** TCP port of the control API; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Citizens of the population stand-in to derive accounts from. Default 10000. */
  citizens?: number;
  /** Population seed. Default the population stand-in's. */
  seed?: number;
}

/** A running stand-in. */
export interface HousingFundStandIn {
  /** URL of the control API. */
  url: string;
  /** The SQLite file consumers open. */
  database: string;
  samples: FundSamples;
  close(): Promise<void>;
}

/** Fault modes of `POST /__faults`. */
export const FAULT_MODES = ['lock', 'textInAmount'] as const;
/** What `textInAmount` writes into GRZHYE: what a hand-edited export sometimes holds. */
export const TEXT_AMOUNT = '壹万贰仟元整';

/** Creates the tables and the exchange log, and inserts the seeded rows in one transaction (SQLite, opened with openFundDatabase, or PostgreSQL). */
export async function seedFrontDb(db: FrontDb, options: { citizens?: number; seed?: number } = {}): Promise<FundSamples> {
  const { accounts, requests, samples } = generateFund(options.citizens ?? 10_000, options.seed);
  await db.exec(TABLES_DDL + exchangeLogDdl(db.dialect === 'sqlite' ? `${EXCHANGE_LOG_SCHEMA}.` : ''));
  await db.transaction(async (tx) => {
    const insertAccount = `INSERT INTO GRZHXX (${ACCOUNT_INSERT_COLUMNS.join(', ')}) VALUES (${ACCOUNT_INSERT_COLUMNS.map(() => '?').join(', ')})`;
    for (const a of accounts) await tx.run(insertAccount, ACCOUNT_INSERT_COLUMNS.map((c) => a[c]));
    const insertRequest = `INSERT INTO GRTQSQ (${REQUEST_INSERT_COLUMNS.join(', ')}) VALUES (${REQUEST_INSERT_COLUMNS.map(() => '?').join(', ')})`;
    for (const r of requests) await tx.run(insertRequest, REQUEST_INSERT_COLUMNS.map((c) => r[c]));
  });
  return samples;
}

/** Starts the stand-in: a fresh seeded file, then the control API. */
export async function startHousingFundStandIn(options: HousingFundStandInOptions): Promise<HousingFundStandIn> {
  if (typeof options?.database !== 'string' || options.database === '') throw new TypeError('startHousingFundStandIn needs options.database, the SQLite file to create.');
  const { port = 0, host = '127.0.0.1' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`startHousingFundStandIn: port must be 0–65535, got ${String(port)}.`);
  for (const file of [options.database, exchangeLogFile(options.database)]) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  // Rollback journal, not WAL: the fund's exclusive lock must keep readers out, as on its real database.
  const db = await openFundDatabase(options.database, { busyTimeoutMs: 2000 });
  await db.exec('PRAGMA journal_mode = DELETE');
  const samples = await seedFrontDb(db, { citizens: options.citizens, seed: options.seed });
  let lock: FrontDb | null = null;
  let spoiled: Array<{ id: string; value: unknown }> = [];

  async function clearFaults(): Promise<void> {
    if (lock) {
      await lock.exec('ROLLBACK').catch(() => undefined);
      await lock.close();
      lock = null;
    }
    for (const s of spoiled) await db.run('UPDATE GRZHXX SET GRZHYE = ? WHERE ZJHM = ?', [s.value as string, s.id]);
    spoiled = [];
  }

  async function stats() {
    const rows = await db.all('SELECT YJLX, COUNT(*) AS N FROM SJJH_RZ GROUP BY YJLX');
    const statements = Object.fromEntries(rows.map((r) => [String(r.YJLX), Number(r.N)]));
    const requests = Object.values(statements).reduce((a, b) => a + b, 0);
    return { requests, statements, faults: { lock: lock !== null, textInAmount: spoiled.length } };
  }

  async function setFaults(body: unknown): Promise<string | null> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
    const { mode, citizenIds, ...rest } = body as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return `unknown field(s): ${Object.keys(rest).join(', ')}`;
    if (mode !== null && !(FAULT_MODES as readonly unknown[]).includes(mode)) return `mode must be null or one of ${FAULT_MODES.join(', ')}`;
    if (citizenIds !== undefined && (!Array.isArray(citizenIds) || !citizenIds.every((c) => typeof c === 'string'))) return 'citizenIds must be an array of resident IDs';
    await clearFaults();
    if (mode === 'lock') {
      // The tables' file only: the exchange log stays writable, as the fund's own log would.
      lock = await openSqliteFrontDb(options.database, { busyTimeoutMs: 2000 });
      await lock.exec('BEGIN EXCLUSIVE');
    }
    if (mode === 'textInAmount') {
      for (const id of (citizenIds as string[] | undefined) ?? [DEMO_CITIZEN_ID]) {
        const [row] = await db.all('SELECT GRZHYE FROM GRZHXX WHERE ZJHM = ?', [id]);
        if (!row) continue;
        spoiled.push({ id, value: row.GRZHYE });
        await db.run('UPDATE GRZHXX SET GRZHYE = ? WHERE ZJHM = ?', [TEXT_AMOUNT, id]);
      }
    }
    return null;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/__stats') return json(res, 200, await stats());
    if (req.method === 'POST' && path === '/__stats/reset') {
      await db.run('DELETE FROM SJJH_RZ');
      return json(res, 200, await stats());
    }
    if (req.method === 'POST' && path === '/__faults') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, MAX_BODY_BYTES)) ?? '');
      } catch {
        return json(res, 400, { error: 'body must be JSON' });
      }
      const problem = await setFaults(body);
      return problem ? json(res, 400, { error: problem }) : json(res, 200, { ok: true });
    }
    json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => json(res, 500, { error: e instanceof Error ? e.message : String(e) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    database: options.database,
    samples,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await clearFaults().catch(() => undefined);
      await db.close();
    },
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
