/**
 * The alarms scenario, against a running city: files cases, moves the city's clock across National Day
 * 2026 so that some run late, has one approved by its own applicant and one by a relative, one approved
 * without its required certificate, one touched by staff of another department, a tampered and an
 * expired certificate used (both refused, and the cases not approved), and one change interrupted; then lists the alarms of its cases as an auditor sees them.
 * `npm run -s scenario` prints them; test/alarms.test.ts runs the same module and checks every line.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DEMO_DOCUMENTS } from '../../adapters/licenceLibrary/standin/data.ts';
import { writeClockFile } from '../../core/clock.ts';
import { ensureDevKeys, ensureDevSecret } from '../../core/dev-keys.ts';
import { signDevToken, type DevTokenInput } from '../../gateway/auth/index.ts';
import { openSupervisionStore } from '../../supervision/index.ts';
import { clockFileOf } from './city.ts';

/** The demo citizen, his wife (same household), and another resident. */
export const CITIZEN = '210102198503152318';
export const SPOUSE = '210102198708201523';

/** One alarm as the scenario prints it. */
export interface ScenarioAlarm {
  id: string;
  kind: string;
  rule: string;
  severity: string;
  caseNumber: string | null;
  /** Which case of the scenario: `late`, `nearDeadline`, `selfApproved`, … */
  role: string;
  reason: string;
  evidenceSeqs: number[];
  status: string;
}

/** Options of a run. */
export interface ScenarioOptions {
  /** The gateway, e.g. `http://127.0.0.1:4000/`. */
  gatewayUrl: string;
  /** The city's data folder: its development keys sign the tokens, its clock file moves the clock. */
  dataDir: string;
  /** The supervision store's URL when not the data folder's SQLite file (DATABASE_URL of the city). */
  databaseUrl?: string;
  /**
   * Interrupts one change mid-way (intent written, outcome never) and has it recovered. Default: writes
   * the intent and the recovery's OUTCOME_UNKNOWN into the store as a crashed subgraph and its restart
   * would; the whole-system test passes a real crash instead.
   */
  interrupt?: (caseNumber: string, s: ScenarioSession) => Promise<void>;
  /** Progress lines; default none. */
  say?: (line: string) => void;
}

/** What a step of the scenario can use. */
export interface ScenarioSession {
  gql(token: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> }>;
  token(input: Omit<DevTokenInput, 'secret'>): Promise<string>;
  /** Sets the city's clock (every process that reads the clock file). */
  setClock(at: string): void;
}

/** What a run found. */
export interface ScenarioResult {
  /** The scenario's cases by role. */
  cases: Record<string, string>;
  /** The alarms of those cases, by case role then rule. */
  alarms: ScenarioAlarm[];
}

const SUBMIT = 'mutation($code: ID!, $docs: [DocumentInput!]!, $key: ID!) { submitApplication(matterCode: $code, documents: $docs, idempotencyKey: $key) { caseNumber } }';
const ACCEPT = 'mutation($n: ID!) { acceptApplication(caseNumber: $n) { state } }';
const APPROVE = 'mutation($n: ID!) { approveApplication(caseNumber: $n, note: "同意") { state } }';
const USE = 'mutation($n: ID!, $d: ID!) { useDocument(caseNumber: $n, documentId: $d, purpose: "核验申请材料") { valid } }';
const REJECT = 'mutation($n: ID!) { rejectApplication(caseNumber: $n, reason: "情景演示结束") { state } }';
const ALARMS = `query($after: String) { alarms(first: 100, after: $after) {
  edges { node { id kind rule severity caseNumber reason evidenceSeqs status } } pageInfo { endCursor hasNextPage } } }`;

/** Runs the scenario; throws (with the step) when the city answers something unexpected. */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const say = o.say ?? (() => undefined);
  const secret = ensureDevKeys(o.dataDir).jwtSecret;
  const clockFile = clockFileOf(o.dataDir);
  const s: ScenarioSession = {
    async gql(token, query, variables) {
      const res = await fetch(o.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as never;
    },
    token: async (input) => signDevToken({ ...input, secret }),
    setClock: (at) => writeClockFile(clockFile, new Date(at)),
  };
  const must = async (step: string, token: string, query: string, variables?: Record<string, unknown>) => {
    const r = await s.gql(token, query, variables);
    if (r.errors?.length) throw new Error(`scenario step "${step}" failed: ${r.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
    return r.data;
  };
  const run = randomUUID().slice(0, 8);
  const citizen = await s.token({ role: 'citizen', sub: CITIZEN });
  const spouse = await s.token({ role: 'citizen', sub: SPOUSE });
  const police = await s.token({ role: 'staff', sub: 'staff-ga-0201', department: 'population' });
  const insurance = await s.token({ role: 'staff', sub: 'staff-yb-0153', department: 'medicalInsurance' });
  const transport = await s.token({ role: 'staff', sub: 'staff-jt-0301', department: 'parking' });
  // A registry clerk whose own resident ID is the demo citizen's: staff principals' `sub` is their resident ID.
  const clerkHimself = await s.token({ role: 'staff', sub: CITIZEN, department: 'population' });
  const auditor = await s.token({ role: 'auditor', sub: 'auditor-scenario' });
  const cases: Record<string, string> = {};
  const file = async (role: string, token: string, code: string, docs: unknown[] = []) => {
    cases[role] = (await must(`file ${role}`, token, SUBMIT, { code, docs, key: `scenario-${run}-${role}` })).submitApplication.caseNumber;
    return cases[role]!;
  };
  // Certificates the demo citizen holds in the licence library's seeded data.
  const doc = (material: string, fileId: string) => ({ material, holderId: CITIZEN, fileId });
  const refused = async (step: string, token: string, query: string, variables: Record<string, unknown>, code: string) => {
    const r = await s.gql(token, query, variables);
    if (r.errors?.[0]?.extensions?.code !== code) throw new Error(`scenario step "${step}" was not refused with ${code}: ${JSON.stringify(r.errors ?? r.data)}`);
  };
  const listAlarms = async () => {
    const out: ScenarioAlarm[] = [];
    let after: string | null = null;
    do {
      const page: any = (await must('list alarms', auditor, ALARMS, { after })).alarms;
      out.push(...page.edges.map((e: any) => e.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return out;
  };

  try {
    // Tuesday 29 September 2026, two working days before National Day (1–7 October off; Saturday 10 October worked).
    s.setClock('2026-09-29T09:30:00+08:00');
    say('clock: Tue 2026-09-29; a case filed and accepted that will run into National Day');
    await must('accept late', police, ACCEPT, { n: await file('late', citizen, 'GA0104') }); // 3 working days: due Fri 9 Oct

    s.setClock('2026-10-08T10:00:00+08:00');
    say('clock: Thu 2026-10-08, the first working day after the holiday; the auditor looks; another case is accepted');
    await listAlarms();
    await must('accept nearDeadline', police, ACCEPT, { n: await file('nearDeadline', citizen, 'GA0104') }); // due Mon 12 Oct (Sat 10 Oct is worked)

    s.setClock('2026-10-12T10:00:00+08:00');
    say('clock: Mon 2026-10-12; the auditor looks again');
    await listAlarms();

    say('a registry clerk approves his own application, then his wife\'s');
    const own = await file('selfApproved', citizen, 'GA0105');
    await must('accept own', clerkHimself, ACCEPT, { n: own });
    await must('approve own', clerkHimself, APPROVE, { n: own });
    const wife = await file('relativeApproved', spouse, 'GA0105');
    await must('accept wife', clerkHimself, ACCEPT, { n: wife });
    await must('approve wife', clerkHimself, APPROVE, { n: wife });

    say('a zero-material enrolment approved without the ID card it asks for (not handed in, not fetched); a registry clerk tries to accept it first');
    const bare = await file('noDocuments', citizen, 'YB0201');
    await refused('other department', police, ACCEPT, { n: bare }, 'FORBIDDEN');
    await must('accept noDocuments', insurance, ACCEPT, { n: bare });
    await must('approve noDocuments', insurance, APPROVE, { n: bare });

    say('a disabled-parking application whose disability certificate carries a forged signature');
    const forged = await file('tampered', citizen, 'JT0504', [doc('SFZ', DEMO_DOCUMENTS.idCard), doc('CJRZ', DEMO_DOCUMENTS.tamperedSignature)]);
    await must('accept tampered', transport, ACCEPT, { n: forged });
    await refused('use tampered', transport, USE, { n: forged, d: DEMO_DOCUMENTS.tamperedSignature }, 'DOCUMENT_TAMPERED');
    await refused('approve tampered', transport, APPROVE, { n: forged }, 'DOCUMENT_UNCHECKED');

    say('a medical-insurance transfer handed in with an ID card that expired in 2015');
    const old = await file('expired', citizen, 'YB0203', [doc('SFZ', DEMO_DOCUMENTS.expiredIdCard), doc('CBPZ', DEMO_DOCUMENTS.insurance)]);
    await must('accept expired', insurance, ACCEPT, { n: old });
    await refused('use expired', insurance, USE, { n: old, d: DEMO_DOCUMENTS.expiredIdCard }, 'DOCUMENT_EXPIRED');

    say('a change interrupted by a crash');
    const cut = await file('interrupted', citizen, 'YB0202');
    await (o.interrupt ?? simulatedCrash(o))(cut, s);

    say('the cases still open are closed, so that nothing runs on after the scenario');
    for (const [role, token] of [['late', police], ['nearDeadline', police], ['tampered', transport], ['expired', insurance]] as const) await must(`reject ${role}`, token, REJECT, { n: cases[role] });
  } finally {
    rmSync(clockFile, { force: true });
  }
  say('clock: back to the city\'s own');
  const roleOf = new Map(Object.entries(cases).map(([role, n]) => [n, role]));
  const order = Object.keys(cases);
  const alarms = (await listAlarms())
    .filter((a) => a.caseNumber && roleOf.has(a.caseNumber))
    .map((a) => ({ ...a, role: roleOf.get(a.caseNumber!)! }))
    .sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || a.rule.localeCompare(b.rule));
  return { cases, alarms };
}

/** The default interruption: what a subgraph killed between intent and outcome leaves, and its restart writes. */
function simulatedCrash(o: ScenarioOptions) {
  return async (caseNumber: string) => {
    const store = await openSupervisionStore({ url: o.databaseUrl, dataDir: o.dataDir, subjectKey: ensureDevSecret(o.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
    try {
      const intent = await store.appendIntent({
        department: 'services', actor: { role: 'staff', department: 'medicalInsurance', sub: 'staff-yb-0153' }, field: 'Mutation.acceptApplication',
        powerItem: 'ZW-SL-02', caseNumber, args: { caseNumber }, requestId: `scenario-crash-${caseNumber}`,
      });
      await store.appendOutcome(intent, { outcome: 'OUTCOME_UNKNOWN', errorCode: 'OUTCOME_UNKNOWN' });
    } finally {
      await store.close();
    }
  };
}

/** The alarms as a table: kind, severity, case (and its role), rule, evidence seqs, reason. */
export function alarmTable(alarms: readonly ScenarioAlarm[]): string {
  const rows = [['kind', 'severity', 'case', 'role', 'rule', 'evidence', 'reason'], ...alarms.map((a) => [a.kind, a.severity, a.caseNumber ?? '', a.role, a.rule, a.evidenceSeqs.join(','), a.reason])];
  const widths = rows[0]!.slice(0, -1).map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join('  ')).join('\n');
}
