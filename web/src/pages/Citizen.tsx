/**
 * A citizen's page (role `citizen`, or an app acting for one): their records across departments, their
 * applications and deadlines, and who used their data — every read by someone else and every use of
 * their city code and every use of their documents, with who, when, for what purpose and what was disclosed. Each part loads on its own,
 * so one department that cannot answer leaves the others on the page.
 */
import { useState } from 'react';
import type { Session } from '../session.ts';
import { CitizenApplications, CitizenCodeUses, CitizenDashboard, CitizenDataAccesses, CitizenDocuments } from '../operations.ts';
import { departmentName, Failure, Section, useQuery, when } from '../ui.tsx';

function Dashboard({ id, round }: { id: string; round: number }) {
  const q = useQuery(CitizenDashboard, { id }, `${id}:${round}`);
  const c = q.data?.citizen;
  return (
    <Section title="My records across departments" id="dashboard">
      <Failure part="My records" state={q} has={Boolean(c)} />
      {c && (
        <dl className="record">
          <dt>name</dt><dd>{c.name ?? '—'}</dd>
          <dt>medical insurance</dt><dd>{c.insurance ? `${c.insurance.status ?? ''} ${c.insurance.type ?? ''}, balance ¥${c.insurance.balance ?? '—'}` : '—'}</dd>
          <dt>housing provident fund</dt><dd>{c.housingFund ? `${c.housingFund.status ?? ''}, balance ¥${c.housingFund.balance ?? '—'}, paid up to ${c.housingFund.paidUpTo ?? '—'}` : '—'}</dd>
          <dt>enterprises I represent</dt><dd>{c.representedEnterprises?.length ? c.representedEnterprises.map((e) => `${e.name} (${e.uscc}, ${e.status})`).join('; ') : 'none'}</dd>
        </dl>
      )}
      {q.loading && !c && <p>Loading…</p>}
    </Section>
  );
}

function Applications({ id, round }: { id: string; round: number }) {
  const q = useQuery(CitizenApplications, { id }, `${id}:${round}`);
  const apps = q.data?.citizen?.applications;
  return (
    <Section title="My applications and deadlines" id="applications">
      <Failure part="My applications" state={q} has={Boolean(apps)} />
      {apps && apps.length === 0 && <p>No application.</p>}
      {apps && apps.length > 0 && (
        <table>
          <thead><tr><th>case</th><th>matter</th><th>state</th><th>submitted</th><th>deadline</th><th>working days left</th></tr></thead>
          <tbody>
            {apps.map((a) => (
              <tr key={a.caseNumber} className={a.overdue ? 'overdue' : ''}>
                <td>{a.caseNumber}</td>
                <td>{a.matter?.name ?? '—'} <small>{a.matter?.departmentName}</small></td>
                <td>{a.state}{a.paused ? ' (waiting for documents)' : ''}</td>
                <td>{when(a.submittedAt)}</td>
                <td>{a.deadline ?? '—'}</td>
                <td>{a.remainingWorkingDays ?? '—'}{a.overdue ? ' — overdue' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function DataAccesses({ id, round }: { id: string; round: number }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const q = useQuery(CitizenDataAccesses, { id, first: 20, after }, `${id}:${after}:${round}`);
  const conn = q.data?.citizen?.dataAccesses;
  return (
    <Section title="Who read my data" id="data-accesses">
      <Failure part="Who read my data" state={q} has={Boolean(conn)} />
      {conn && <p className="summary">{conn.totalCount === 0 ? 'Nobody else has read your data.' : `${conn.totalCount} read(s) by someone else, oldest first.`}</p>}
      {conn && conn.edges.length > 0 && (
        <table data-testid="data-accesses">
          <thead><tr><th>when</th><th>who</th><th>data of</th><th>what was disclosed</th><th>purpose</th><th>outcome</th></tr></thead>
          <tbody>
            {conn.edges.map(({ node: a }) => (
              <tr key={a.seq}>
                <td>{when(a.time)}</td>
                <td>{a.reader.client ?? a.reader.department ?? ''} <small>({a.reader.role}{a.onYourBehalf ? ', for you' : ''})</small></td>
                <td>{departmentName(a.department)}</td>
                <td>{a.fields.join(', ')}</td>
                <td>{a.purpose ?? <em>none declared</em>}</td>
                <td>{a.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</button>
        <button disabled={!conn?.pageInfo.hasNextPage} onClick={() => conn?.pageInfo.endCursor && setCursors([...cursors, conn.pageInfo.endCursor])}>Next →</button>
      </div>
    </Section>
  );
}

function CodeUses({ id, round }: { id: string; round: number }) {
  const q = useQuery(CitizenCodeUses, { id }, `${id}:${round}`);
  const uses = q.data?.citizen?.codeUses;
  return (
    <Section title="Uses of my city code" id="code-uses">
      <Failure part="Uses of my city code" state={q} has={Boolean(uses)} />
      {uses && uses.length === 0 && <p>Your city code has not been used.</p>}
      {uses && uses.length > 0 && (
        <table data-testid="code-uses">
          <thead><tr><th>when</th><th>what</th><th>who</th><th>where</th><th>purpose</th><th>what was disclosed</th><th>outcome</th></tr></thead>
          <tbody>
            {uses.map((u) => (
              <tr key={u.recordSeq}>
                <td>{when(u.time)}</td>
                <td>{u.kind}</td>
                <td>{u.scanner ?? '—'} <small>({u.scannerRole})</small></td>
                <td>{u.place ?? '—'}</td>
                <td>{u.purpose ?? '—'}</td>
                <td>{u.disclosed.length ? u.disclosed.join(', ') : 'nothing'}</td>
                <td>{u.outcome}{u.errorCode ? ` ${u.errorCode}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function DocumentUses({ id, round }: { id: string; round: number }) {
  const q = useQuery(CitizenDocuments, { id }, `${id}:${round}`);
  const c = q.data?.citizen;
  return (
    <Section title="Uses of my documents" id="document-uses">
      <Failure part="Uses of my documents" state={q} has={Boolean(c?.documentUses)} />
      {c?.documents && (
        <p className="summary">
          My certificates: {c.documents.length === 0 ? 'none in the licence library' : c.documents.map((d) => `${d.typeName} ${d.number} (${d.status})`).join('; ')}
        </p>
      )}
      {c?.documentUses && c.documentUses.length === 0 && <p>No department has used your documents.</p>}
      {c?.documentUses && c.documentUses.length > 0 && (
        <table data-testid="document-uses">
          <thead><tr><th>when</th><th>who</th><th>document</th><th>for</th><th>purpose</th><th>outcome</th></tr></thead>
          <tbody>
            {c.documentUses.map((u) => (
              <tr key={u.recordSeq}>
                <td>{when(u.usedAt)}</td>
                <td>{departmentName(u.department)} <small>({u.by === 'PLATFORM' ? 'the platform, on filing' : 'staff'})</small></td>
                <td>{u.documentId} <small>{u.certificateType ?? ''}</small></td>
                <td>{u.caseNumber ? `case ${u.caseNumber}` : '—'} <small>{u.matterCode ?? ''}</small></td>
                <td>{u.purpose ?? '—'}</td>
                <td>{u.outcome}{u.errorCode ? ` ${u.errorCode}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** The page; roles other than a citizen (or an app for one) get a clear message and nothing is loaded. */
export function CitizenPage({ session }: { session: Session }) {
  const id = session.role === 'citizen' ? session.sub : session.role === 'app' ? session.onBehalfOf : null;
  if (!id) {
    return (
      <main>
        <p className="failure" role="alert">
          "Who used my data" is a citizen's own page. You are signed in as {session.role}: sign in as the citizen (or an app acting for one) to see it. Nothing was loaded.
        </p>
      </main>
    );
  }
  return <CitizenParts id={id} />;
}

function CitizenParts({ id }: { id: string }) {
  // Bumped by Refresh: every part asks again, and keeps what it has if it cannot get more.
  const [round, setRound] = useState(0);
  return (
    <main>
      <h1>My data and who used it</h1>
      <button className="refresh" onClick={() => setRound((r) => r + 1)}>Refresh</button>
      <p className="hint">Every read of your data by someone other than you, and every use of your city code, is recorded in the city's tamper-evident supervision log.</p>
      <Dashboard id={id} round={round} />
      <Applications id={id} round={round} />
      <DataAccesses id={id} round={round} />
      <CodeUses id={id} round={round} />
      <DocumentUses id={id} round={round} />
    </main>
  );
}
