/**
 * The fund's published tables in its front-end exchange database, as the fund creates them: every
 * column text (amounts as decimal text, dates as yyyyMMdd), pinyin-abbreviation names, the consumers'
 * exchange log beside them. One DDL for SQLite and PostgreSQL.
 */

/** Creates the tables (idempotent). */
export const TABLES_DDL = `
CREATE TABLE IF NOT EXISTS GRZHXX (
  GRZH VARCHAR(20) PRIMARY KEY,
  Xingming VARCHAR(64) NOT NULL,
  ZJLX VARCHAR(2) NOT NULL,
  ZJHM VARCHAR(18) NOT NULL,
  DWZH VARCHAR(20) NOT NULL,
  GRZHYE VARCHAR(20) NOT NULL,
  GRZHSNJZYE VARCHAR(20) NOT NULL,
  GRZHDNGJYE VARCHAR(20) NOT NULL,
  GRJCJS VARCHAR(20) NOT NULL,
  GRJCBL VARCHAR(8) NOT NULL,
  DWJCBL VARCHAR(8) NOT NULL,
  GRJZNY VARCHAR(6) NOT NULL,
  GRZHZT VARCHAR(2) NOT NULL,
  KHRQ VARCHAR(8) NOT NULL
);
CREATE INDEX IF NOT EXISTS GRZHXX_ZJHM ON GRZHXX (ZJHM);
CREATE TABLE IF NOT EXISTS GRTQSQ (
  SQBH VARCHAR(24) PRIMARY KEY,
  GRZH VARCHAR(20) NOT NULL,
  ZJHM VARCHAR(18) NOT NULL,
  TQYY VARCHAR(2) NOT NULL,
  TQFS VARCHAR(2) NOT NULL,
  YWMXLX VARCHAR(2) NOT NULL,
  FSE VARCHAR(20) NOT NULL,
  GRCKZHHM VARCHAR(32) NOT NULL,
  HuMing VARCHAR(64) NOT NULL,
  GRCKZHKHYHMC VARCHAR(64) NOT NULL,
  ZMWJBH VARCHAR(64),
  YWZT VARCHAR(2) NOT NULL,
  SQSJ VARCHAR(19) NOT NULL,
  SHR VARCHAR(64),
  SHSJ VARCHAR(19),
  SHYJ VARCHAR(200),
  WBLSH VARCHAR(64) NOT NULL,
  CONSTRAINT GRTQSQ_WBLSH UNIQUE (ZJHM, WBLSH)
);
CREATE INDEX IF NOT EXISTS GRTQSQ_GRZH ON GRTQSQ (GRZH);
`;

/**
 * Creates the exchange log every consumer appends to, under `prefix` (`jhrz.` on SQLite, where the log is
 * a file of its own attached under that schema; empty on PostgreSQL).
 */
export function exchangeLogDdl(prefix: string): string {
  return `CREATE TABLE IF NOT EXISTS ${prefix}SJJH_RZ (
  JHSJ VARCHAR(24) NOT NULL,
  JHF VARCHAR(32) NOT NULL,
  YJLX VARCHAR(10) NOT NULL,
  YJ VARCHAR(2000) NOT NULL
);
`;
}

/** The account columns in insert order. */
export const ACCOUNT_INSERT_COLUMNS = ['GRZH', 'Xingming', 'ZJLX', 'ZJHM', 'DWZH', 'GRZHYE', 'GRZHSNJZYE', 'GRZHDNGJYE', 'GRJCJS', 'GRJCBL', 'DWJCBL', 'GRJZNY', 'GRZHZT', 'KHRQ'] as const;
/** The request columns in insert order. */
export const REQUEST_INSERT_COLUMNS = ['SQBH', 'GRZH', 'ZJHM', 'TQYY', 'TQFS', 'YWMXLX', 'FSE', 'GRCKZHHM', 'HuMing', 'GRCKZHKHYHMC', 'ZMWJBH', 'YWZT', 'SQSJ', 'SHR', 'SHSJ', 'SHYJ', 'WBLSH'] as const;
