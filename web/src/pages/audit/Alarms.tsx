/** Alarms with filters, evidence one click away, and acknowledgement with a note. */
import { useState } from 'react';
import { ApiError, run } from '../../api.ts';
import type { AlarmFilter } from '../../gql/graphql.ts';
import { AcknowledgeAlarm, AlarmsPage } from '../../operations.ts';
import { Failure, Section, useQuery, when } from '../../ui.tsx';

const KINDS = ['', 'TIMEOUT', 'MATERIAL_RISK', 'RULE', 'OUTCOME_UNKNOWN'];
const STATUSES = ['', 'OPEN', 'ACKNOWLEDGED'];

function toFilter(form: Record<string, string>): AlarmFilter {
  const f: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (v.trim() !== '') f[k] = k === 'from' || k === 'to' ? new Date(v).toISOString() : v.trim();
  return f as AlarmFilter;
}

/** One alarm's acknowledgement form. */
function Acknowledge({ id, done }: { id: string; done: () => void }) {
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="ack"
      aria-label={`Acknowledge ${id}`}
      onSubmit={async (e) => {
        e.preventDefault();
        if (note.trim() === '') return setProblem('Write a note: what you checked or decided.');
        setBusy(true);
        setProblem(null);
        try {
          const a = await run(AcknowledgeAlarm, { id, note: note.trim() });
          if (!a.data.acknowledgeAlarm) setProblem(a.partErrors[0]?.message ?? 'The alarm was not acknowledged.');
          else done();
        } catch (err) {
          setProblem(err instanceof ApiError && err.kind === 'network' ? 'The gateway cannot be reached: the alarm is not acknowledged yet.' : String((err as Error).message));
        } finally {
          setBusy(false);
        }
      }}
    >
      <input name="note" value={note} onChange={(e) => setNote(e.target.value)} placeholder="Note, e.g. checked with the department" aria-label="Note" />
      <button type="submit" disabled={busy}>Acknowledge</button>
      {problem && <span className="failure" role="alert">{problem}</span>}
    </form>
  );
}

/** The alarms view. */
export function AlarmsView() {
  const [form, setForm] = useState<Record<string, string>>({});
  const [filter, setFilter] = useState<AlarmFilter>({});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const q = useQuery(AlarmsPage, { filter, first: 20, after }, JSON.stringify([filter, after]));
  const alarms = q.data?.alarms;
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <>
      <Section title="Alarm filters">
        <form
          className="filters"
          aria-label="Alarm filters"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter(toFilter(form));
            setCursors([null]);
          }}
        >
          <label>Kind<select name="kind" value={form.kind ?? ''} onChange={set('kind')}>{KINDS.map((k) => <option key={k} value={k}>{k || 'any'}</option>)}</select></label>
          <label>Status<select name="status" value={form.status ?? ''} onChange={set('status')}>{STATUSES.map((k) => <option key={k} value={k}>{k || 'any'}</option>)}</select></label>
          <label>Department<input name="department" value={form.department ?? ''} onChange={set('department')} placeholder="services" /></label>
          <label>Case number<input name="caseNumber" value={form.caseNumber ?? ''} onChange={set('caseNumber')} /></label>
          <label>From <input type="datetime-local" step="1" name="from" value={form.from ?? ''} onChange={set('from')} /></label>
          <label>To <input type="datetime-local" step="1" name="to" value={form.to ?? ''} onChange={set('to')} /></label>
          <div className="actions"><button type="submit">Apply filters</button></div>
        </form>
      </Section>
      <Section title="Alarms">
        <Failure part="The alarms" state={q} />
        {alarms && <p className="summary">{alarms.totalCount === 0 ? 'No alarm matches.' : `${alarms.totalCount} alarm(s)`}</p>}
        <ul className="alarms">
          {alarms?.edges.map(({ node: a }) => (
            <li key={a.id} className={`alarm ${a.severity} ${a.status}`} data-alarm={a.id}>
              <div>
                <b>{a.severity}</b> {a.kind} <code>{a.rule}</code> · {a.department ?? '—'} {a.caseNumber ? `· case ${a.caseNumber}` : ''} · raised {when(a.raisedAt)} · <b>{a.status}</b>
              </div>
              <p>{a.reason}</p>
              <div className="evidence">
                Evidence: {a.evidenceSeqs.length === 0 ? 'none' : a.evidenceSeqs.map((s) => <a key={s} href={`#/audit/record/${s}`}>record #{s}</a>)}
              </div>
              {a.acknowledgement ? (
                <p className="ackd">Acknowledged {when(a.acknowledgement.time)} by {a.acknowledgement.actor.role}: “{a.acknowledgement.note}”</p>
              ) : (
                <Acknowledge id={a.id} done={q.reload} />
              )}
            </li>
          ))}
        </ul>
        <div className="pager">
          <button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous page</button>
          <button disabled={!alarms?.pageInfo.hasNextPage} onClick={() => alarms?.pageInfo.endCursor && setCursors([...cursors, alarms.pageInfo.endCursor])}>Next page →</button>
        </div>
      </Section>
    </>
  );
}
