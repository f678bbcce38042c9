/**
 * Captures real reply bytes (GBK) from the stand-in into adapters/population/__tests__/fixtures, so
 * replay tests exercise the adapter on the wire format, not on hand-written strings. Run once, commit:
 *   node adapters/population/standin/capture-fixtures.ts
 */
import { writeFile } from 'node:fs/promises';
import { buildEnvelope, SERVICE_NS, type Operation } from '../client.ts';
import { DEMO_CITIZEN_ID, DEV_SECRET, generateCitizens, startPopulationStandIn } from './index.ts';

const dir = new URL('../__tests__/fixtures/', import.meta.url);
const rows = generateCitizens();
// A 锡伯族 name exercises GBK beyond GB2312's common set; a citizen without phone exercises null.
const xibe = rows.find((r) => r.MZ === '锡伯族')!;
const noPhone = rows.find((r) => r.LXDH === '' && r.GMSFHM !== xibe.GMSFHM)!;
/** Valid check digit, but no such person in the seeded registry. */
const absent = '11010519491231002X';
const queryIds = [DEMO_CITIZEN_ID, xibe.GMSFHM, noPhone.GMSFHM, absent];

const standIn = await startPopulationStandIn({});
const endpoint = { url: standIn.url, senderId: 'citygraph', secret: DEV_SECRET };

async function capture(file: string, operation: Operation, xmlPara: string, secret = DEV_SECRET): Promise<void> {
  const body = new Uint8Array(Buffer.from(buildEnvelope(operation, { ...endpoint, secret }, xmlPara), 'utf8'));
  const response = await fetch(standIn.url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=UTF-8', SOAPAction: `"${SERVICE_NS}/${operation}"` },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  await writeFile(new URL(file, dir), bytes);
  process.stdout.write(`${file}: HTTP ${response.status}, ${bytes.length} bytes\n`);
}

async function fault(mode: string | null): Promise<void> {
  await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode }) });
}

const para = (ids: string[]) =>
  `<?xml version="1.0" encoding="GBK"?><request><condition>${ids.map((id) => `<item><GMSFHM>${id}</GMSFHM></item>`).join('')}</condition>` +
  '<clientInfo><loginName>citygraph</loginName><requestId>fixture-1</requestId></clientInfo></request>';

try {
  await capture('query-3-persons.xml', 'query', para(queryIds));
  await capture('soap-fault.xml', 'query', para(queryIds), 'wrong-secret');
  await capture('errflag.xml', 'query', para([DEMO_CITIZEN_ID, '21010219850315231X']));
  await fault('badXml');
  await capture('truncated-xml.xml', 'query', para(queryIds));
  await fault('badEncoding');
  await capture('broken-gbk.xml', 'query', para(queryIds));
  await writeFile(new URL('manifest.json', dir), `${JSON.stringify({ queryIds, xibe: xibe.GMSFHM, noPhone: noPhone.GMSFHM, absent }, null, 2)}\n`);
} finally {
  await standIn.close();
}
