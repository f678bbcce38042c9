/**
 * The pages in a real browser: Debian's Chromium driven by playwright-core against one started city.
 * An auditor filters the log, verifies a proof, acknowledges an alarm; a citizen sees who used their
 * data; GraphiQL runs the demo query; and the bad inputs (expired token, wrong role, gateway down,
 * huge log, tampered proof) each show what they should. Screenshots go to docs/ for the README.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { SignJWT } from 'jose';
import { createDeviceKey, makeCode } from '../citycode-client/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { ROOT } from '../scripts/lib/processes.ts';
import { launchChromium, type TestBrowser } from './support/browser.ts';
import { startTestCity, type TestCity } from './support/city.ts';

const DEMO = '210102198503152318';
const MASKED = '2101**********2318';
/** A browser test on a loaded machine: sign-in, a few pages, screenshots. */
const BROWSER_TEST_MS = 120_000;

let t: TestCity;
let browser: TestBrowser;
let base: string;
/** Every URL the browser asked for, and every GraphQL body it sent. */
const urls: string[] = [];
const bodies: Record<string, any>[] = [];
/** Every token the pages were given (minted by the dev sign-in or pasted). */
const tokens = new Set<string>();

function watch(request: Request): void {
  urls.push(request.url());
  if (request.method() === 'POST' && new URL(request.url()).pathname === '/') bodies.push(JSON.parse(request.postData() ?? '{}'));
}

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('response', async (r) => {
    // GraphiQL asks for its own token; a response navigated away from has no body left to read.
    if (r.url().endsWith('/console/dev-token') && r.ok()) await r.json().then((b: { token: string }) => tokens.add(b.token), () => undefined);
  });
  return page;
}

/** Signs in through the development sign-in page. */
async function signIn(page: Page, role: string, extra: Record<string, string> = {}): Promise<void> {
  await page.goto(`${base}console/`);
  await page.getByRole('form', { name: 'Development sign-in' }).waitFor();
  await page.selectOption('select[name=role]', role);
  for (const [name, value] of Object.entries(extra)) await page.fill(`input[name=${name}]`, value);
  const minted = page.waitForResponse((r) => r.url().endsWith('/console/dev-token'));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  tokens.add(((await (await minted).json()) as { token: string }).token);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * A screenshot for the README, small enough to keep in git; `from` scrolls that part to the top first.
 * Written into docs/ only with UPDATE_SCREENSHOTS=1 (a run of the suite must not leave the checkout
 * changed); otherwise into a temporary folder, checked the same way.
 */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? `${ROOT}docs` : mkdtempSync(join(tmpdir(), 'citygraph-shots-'));
async function shot(page: Page, name: string, from?: string): Promise<void> {
  if (from) await page.locator(from).evaluate((e) => e.scrollIntoView());
  const path = join(SHOTS, `pages-${name}.png`);
  await page.screenshot({ path, type: 'png' });
  expect(statSync(path).size).toBeLessThan(300 * 1024);
}

/** A checkpoint now, as an operator's `npm run -s audit -- checkpoint` makes it. */
function checkpoint(): void {
  const r = spawnSync(process.execPath, ['scripts/audit.ts', 'checkpoint'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', CITYGRAPH_DATA_DIR: t.dataDir }, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(async () => {
  t = await startTestCity();
  base = t.city.gatewayUrl;
  browser = await launchChromium();
  browser.context.on('request', watch);
  // Something to see: a hotel checks the demo citizen's identity, a hospital redeems his city code, a
  // clerk checks his ID card, and a clerk approves his own application.
  const hotel = issueApiKey(`${t.dataDir}/api-keys.json`, { client: 'hotel-zhongshan', scopes: ['identity:verify'], purpose: '旅馆住宿登记 hotel check-in' }).key;
  const verified = await t.query(`query { verifyIdentity(id: "${DEMO}", name: "王立军") { match } }`, { headers: { [API_KEY_HEADER]: hotel } });
  expect(verified.body.data.verifyIdentity.match).toBe(true);
  const citizen = await t.token({ role: 'citizen', sub: DEMO });
  const device = createDeviceKey();
  const issued = await t.query('mutation($key: String!) { issueCityCodeCredential(devicePublicKey: $key) { credential } }', { token: citizen, variables: { key: device.publicKey } });
  const hospital = issueApiKey(`${t.dataDir}/api-keys.json`, { client: 'sy-yida-hospital', scopes: ['citycode:medical'], purpose: 'outpatient registration' }).key;
  const redeemed = await t.query('mutation($code: String!) { redeemCityCode(code: $code, purpose: MEDICAL_INSURANCE, place: "中国医科大学附属第一医院") { disclosed } }', {
    headers: { [API_KEY_HEADER]: hospital },
    variables: { code: makeCode(issued.body.data.issueCityCodeCredential.credential, device) },
  });
  expect(redeemed.body.errors).toBeUndefined();
  // A registry clerk checks the demo citizen's ID card for his application: a document use.
  const filed = await t.query('mutation { submitApplication(matterCode: "GA0103", documents: [{ material: "SFZ", holderId: "210102198503152318", fileId: "DZZZ-SFZ-0001" }], idempotencyKey: "pages-doc-0001") { caseNumber } }', { token: citizen });
  expect(filed.body.errors).toBeUndefined();
  const caseNumber = filed.body.data.submitApplication.caseNumber as string;
  const clerk = await t.token({ role: 'staff', sub: 'staff-ga-0301', department: 'population' });
  const used = await t.query('mutation($n: ID!) { useDocument(caseNumber: $n, documentId: "DZZZ-SFZ-0001", purpose: "居民身份证换领 核验身份") { valid } }', { token: clerk, variables: { n: caseNumber } });
  expect(used.body.errors).toBeUndefined();
  // A registry clerk approves his own application (his staff subject is his resident ID): the alarm
  // engine raises RULE_SELF_APPROVAL when the auditor looks.
  const himself = await t.token({ role: 'staff', sub: DEMO, department: 'population' });
  const own = await t.query('mutation { submitApplication(matterCode: "GA0105", documents: [], idempotencyKey: "pages-self-0001") { caseNumber } }', { token: citizen });
  expect(own.body.errors).toBeUndefined();
  for (const step of ['acceptApplication(caseNumber: $n) { state }', 'approveApplication(caseNumber: $n, note: "同意") { state }']) {
    const r = await t.query(`mutation($n: ID!) { ${step} }`, { token: himself, variables: { n: own.body.data.submitApplication.caseNumber } });
    expect(r.body.errors).toBeUndefined();
  }
  checkpoint();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  if (process.env.UPDATE_SCREENSHOTS !== '1') rmSync(SHOTS, { recursive: true, force: true });
});

describe("the auditors' console", () => {
  it('signs an auditor in, filters the log to the demo citizen, opens a record and verifies its proof in the browser', async () => {
    const page = await newPage();
    await signIn(page, 'auditor');
    await page.getByRole('heading', { name: "Auditors' console" }).waitFor();
    await page.fill('input[name=subjectId]', DEMO);
    await page.selectOption('select[name=kind]', 'INTENT');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('table.log tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const subjects = await page.locator('table.log tbody tr td:nth-child(7)').allTextContents();
    expect(new Set(subjects)).toEqual(new Set([MASKED]));
    const filter = bodies.at(-1)!.variables.filter;
    expect(filter).toEqual({ subjectId: DEMO, kind: 'INTENT' });
    await shot(page, 'console-log');

    await page.locator('table.log tbody tr td:first-child a').first().click();
    const verdict = page.getByTestId('proof-result');
    await verdict.waitFor({ timeout: 15_000 });
    await expect.poll(() => verdict.getAttribute('class')).toContain('verified');
    expect(await verdict.textContent()).toMatch(/Proof verified in this browser/);
    expect(await page.locator('.proof tr.differs').count()).toBe(0);
    await shot(page, 'console-record', 'section[aria-label="Proof, checked in this browser"]');
    await page.close();
  }, BROWSER_TEST_MS);

  it('shows a record whose proof fails in red, naming the hash that differs', async () => {
    const page = await newPage();
    await signIn(page, 'auditor');
    await page.getByRole('heading', { name: "Auditors' console" }).waitFor();
    // The gateway answers the truth; the page is fed a record with one field altered on the way.
    await page.route(`${base}`, async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      if (json?.data?.supervisionRecord?.record) json.data.supervisionRecord.record.outcome = 'DENIED';
      await route.fulfill({ response, json });
    });
    await page.goto(`${base}console/#/audit/record/3`);
    const verdict = page.getByTestId('proof-result');
    await verdict.waitFor({ timeout: 15_000 });
    expect(await verdict.getAttribute('class')).toContain('failed');
    expect(await verdict.textContent()).toMatch(/Proof FAILED in this browser: record hash/);
    expect(await page.locator('.proof tr.differs td:nth-child(2)').allTextContents()).toEqual(['record hash']);
    await shot(page, 'console-record-tampered', 'section[aria-label="Proof, checked in this browser"]');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.close();
  }, BROWSER_TEST_MS);

  it('opens an alarm, shows its evidence one click away, acknowledges it with a note, and the acknowledgement appears in the log', async () => {
    const page = await newPage();
    await signIn(page, 'auditor');
    await page.goto(`${base}console/#/audit/alarms`);
    await page.selectOption('select[name=status]', 'OPEN');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const alarm = page.locator('li.alarm.OPEN').first();
    await alarm.waitFor({ timeout: 20_000 });
    const id = (await alarm.getAttribute('data-alarm'))!;
    await shot(page, 'console-alarms');

    const evidence = alarm.locator('.evidence a').first();
    const seq = (await evidence.textContent())!.replace(/\D/g, '');
    await evidence.click();
    await page.getByRole('heading', { name: `Record #${seq}` }).waitFor();
    await page.getByTestId('proof-result').waitFor();
    await page.goBack();

    const again = page.locator(`li.alarm[data-alarm="${id}"]`);
    await again.getByLabel('Note').fill('Checked with the department: the case is being handled.');
    await again.getByRole('button', { name: 'Acknowledge' }).click();
    await again.locator('.ackd').waitFor({ timeout: 15_000 });
    expect(await again.locator('.ackd').textContent()).toMatch(/Checked with the department/);

    await page.goto(`${base}console/#/audit/log`);
    await page.fill('input[name=field]', 'Mutation.acknowledgeAlarm');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Polled on the row itself: the table may still show the log as it was before the filter applied.
    const acknowledged = async () => (await page.locator('table.log tbody tr').allTextContents()).some((r) => /Mutation\.acknowledgeAlarm/.test(r) && /auditor/.test(r) && /SUCCESS/.test(r));
    await expect.poll(acknowledged, { timeout: 15_000 }).toBe(true);
    await page.close();
  }, BROWSER_TEST_MS);

  it('shows the integrity of every chain and the chart of mutations and alarms per department', async () => {
    const page = await newPage();
    await signIn(page, 'auditor');
    await page.goto(`${base}console/#/audit/integrity`);
    const verdict = page.getByTestId('integrity-verdict');
    await verdict.waitFor({ timeout: 20_000 });
    expect(await verdict.textContent()).toMatch(/Every chain verifies/);
    await page.goto(`${base}console/#/audit/chart`);
    await page.getByTestId('chart').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=chart] rect').count()).toBeGreaterThan(1);
    expect(await page.locator('.legend').textContent()).toMatch(/services[\s\S]*alarms/);
    await shot(page, 'console-chart');
    await page.close();
  }, BROWSER_TEST_MS);

  it('pages a large log, never asking for it whole', async () => {
    const page = await newPage();
    await signIn(page, 'auditor');
    const summary = page.getByTestId('log-summary');
    await summary.waitFor({ timeout: 15_000 });
    const [, total] = /of (\d+)/.exec((await summary.textContent())!)!;
    expect(Number(total)).toBeGreaterThan(40);
    expect(await page.locator('table.log tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next page →' }).click();
    await expect.poll(() => summary.textContent()).toMatch(/Records 21–40 of/);
    for (const b of bodies.filter((b) => b.variables && 'first' in b.variables)) expect(b.variables.first).toBeLessThanOrEqual(100);
    // The console sends registered operations only: a hash, never the text.
    const fromConsole = bodies.filter((b) => b.documentId);
    expect(fromConsole.length).toBeGreaterThan(10);
    for (const b of fromConsole) {
      expect(b.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(b.query).toBeUndefined();
    }
    await page.close();
  }, BROWSER_TEST_MS);
});

describe("a citizen's page", () => {
  it('shows the hotel\'s verifyIdentity, the hospital\'s city-code redemption and the registry\'s use of his ID card under "who used my data"', async () => {
    const page = await newPage();
    await signIn(page, 'citizen', { sub: DEMO });
    await page.getByRole('heading', { name: 'My data and who used it' }).waitFor();
    const reads = page.getByTestId('data-accesses');
    await reads.waitFor({ timeout: 20_000 });
    const readRows = await reads.locator('tbody tr').allTextContents();
    expect(readRows.some((r) => r.includes('hotel-zhongshan') && r.includes('Query.verifyIdentity') && r.includes('旅馆住宿登记 hotel check-in'))).toBe(true);
    const uses = page.getByTestId('code-uses');
    await uses.waitFor({ timeout: 20_000 });
    const useRows = await uses.locator('tbody tr').allTextContents();
    expect(useRows.some((r) => r.includes('REDEEMED') && r.includes('sy-yida-hospital') && r.includes('MEDICAL_INSURANCE') && r.includes('中国医科大学附属第一医院'))).toBe(true);
    const documentUses = page.getByTestId('document-uses');
    await documentUses.waitFor({ timeout: 20_000 });
    expect((await documentUses.locator('tbody tr').allTextContents()).some((r) => r.includes('DZZZ-SFZ-0001') && r.includes('居民身份证换领 核验身份') && r.includes('SUCCESS'))).toBe(true);
    await page.locator('#applications table').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('#dashboard').textContent(), { timeout: 20_000 }).toMatch(/王立军/);
    await shot(page, 'citizen', '#data-accesses');
    await page.close();
  }, BROWSER_TEST_MS);

  it('says which part failed when a department cannot answer, and keeps the rest', async () => {
    const page = await newPage();
    await signIn(page, 'citizen', { sub: DEMO });
    await page.route(`${base}`, async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      if (json?.data?.citizen && 'codeUses' in json.data.citizen) {
        json.data.citizen.codeUses = null;
        json.errors = [{ message: 'The citycode service could not answer this part of the request.', path: ['citizen', 'codeUses'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', department: 'citycode' } }];
      }
      await route.fulfill({ response, json });
    });
    await page.reload();
    const failure = page.locator('#code-uses .failure');
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.textContent()).toMatch(/Uses of my city code: the city code could not answer/);
    await page.getByTestId('data-accesses').waitFor();

    // Then the gateway goes away altogether: each part says so and keeps what it showed.
    // Handlers still answering finish first, so no answer is fulfilled twice.
    await page.unrouteAll({ behavior: 'wait' });
    await page.route(`${base}`, (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Refresh' }).click();
    const down = page.locator('#data-accesses .failure');
    await down.waitFor({ timeout: 15_000 });
    expect(await down.textContent()).toMatch(/Who read my data: the gateway cannot be reached\. Showing what was loaded at/);
    expect(await page.getByTestId('data-accesses').locator('tbody tr').count()).toBeGreaterThan(0);
    await shot(page, 'citizen-gateway-down', '#data-accesses');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.close();
  }, BROWSER_TEST_MS);
});

describe('bad sign-ins', () => {
  it('says an expired token has expired and asks to sign in again', async () => {
    const secret = new TextEncoder().encode(ensureDevKeys(t.dataDir).jwtSecret);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: 'auditor', client: 'citygraph-console' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('auditor-dev').setIssuer('citygraph-dev').setAudience('citygraph').setIssuedAt(now - 7200).setExpirationTime(now - 3600)
      .sign(secret);
    tokens.add(expired);
    const page = await newPage();
    await page.goto(`${base}console/`);
    // A session whose token ran out while the tab was open.
    await page.evaluate((token) => sessionStorage.setItem('citygraph.session', token), expired);
    await page.goto(`${base}console/#/audit/log`);
    await page.reload();
    const notice = page.getByRole('alert').filter({ hasText: 'expired' });
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toBe('Your sign-in has expired. Please sign in again.');
    await page.getByRole('form', { name: 'Development sign-in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('citygraph.session'))).toBeNull();
    // Pasting the same token is refused on the spot.
    await page.fill('textarea[name=token]', expired);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.getByRole('alert').filter({ hasText: 'This token has expired' }).waitFor();
    await page.close();
  }, BROWSER_TEST_MS);

  it('tells a role that may not see a page so, and loads no data for it', async () => {
    const page = await newPage();
    await signIn(page, 'staff', { department: 'population' });
    const before = bodies.length;
    await page.goto(`${base}console/#/audit/log`);
    await page.getByRole('alert').filter({ hasText: "The auditors' console is for auditors. You are signed in as staff" }).waitFor();
    await page.goto(`${base}console/#/me`);
    await page.getByRole('alert').filter({ hasText: '"Who used my data" is a citizen\'s own page. You are signed in as staff' }).waitFor();
    expect(bodies.length).toBe(before);
    await page.close();
  }, BROWSER_TEST_MS);
});

describe('GraphiQL', () => {
  it("runs the README's demo query with the development token in its header editor", async () => {
    const page = await newPage();
    await page.goto(`${base}graphiql`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toMatch(/王立军/);
    expect(await result.textContent()).toMatch(/"status": "ACTIVE"/);
    await shot(page, 'graphiql');
    await page.close();
  }, BROWSER_TEST_MS);
});

describe('tokens', () => {
  it('never appear in a URL the browser asked for, nor in any log line of the city', () => {
    expect(tokens.size).toBeGreaterThan(3);
    for (const token of tokens) {
      const signature = token.split('.')[2]!;
      expect(urls.filter((u) => u.includes(signature))).toEqual([]);
      for (const [name, service] of Object.entries(t.city.services)) {
        expect(service.output.filter((l) => l.includes(signature)), name).toEqual([]);
      }
    }
    expect(urls.length).toBeGreaterThan(20);
  }, BROWSER_TEST_MS);
});
