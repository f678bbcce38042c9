/** The mutation log: every filter of `mutationLog`, one page at a time (never loaded whole). */
import { useState } from 'react';
import type { MutationLogFilter } from '../../gql/graphql.ts';
import { MutationLogPage } from '../../operations.ts';
import { Failure, Section, useQuery, when } from '../../ui.tsx';

const OUTCOMES = ['', 'PENDING', 'SUCCESS', 'ERROR', 'DENIED', 'OUTCOME_UNKNOWN'];
const KINDS = ['', 'INTENT', 'OUTCOME', 'ACCESS'];
const TEXT_FILTERS: [keyof MutationLogFilter, string, string][] = [
  ['subjectId', 'Citizen or enterprise ID', '210102198503152318'],
  ['department', 'Department', 'population'],
  ['actorRole', 'Actor role', 'staff'],
  ['field', 'Field', 'Mutation.updateContactPhone'],
  ['operation', 'Operation name', ''],
  ['powerItem', 'Power item', 'ZW-SP-05'],
  ['caseNumber', 'Case number', ''],
];

/** The filter form's values as the graph's filter: empty members left out, local times as ISO. */
function toFilter(form: Record<string, string>): MutationLogFilter {
  const f: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (v.trim() !== '') f[k] = k === 'from' || k === 'to' ? new Date(v).toISOString() : v.trim();
  return f as MutationLogFilter;
}

/** The log view. */
export function LogView() {
  const [form, setForm] = useState<Record<string, string>>({});
  const [filter, setFilter] = useState<MutationLogFilter>({});
  const [pageSize, setPageSize] = useState(20);
  // Cursors of the pages before this one, so that "previous" needs no second query shape.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const q = useQuery(MutationLogPage, { filter, first: pageSize, after }, JSON.stringify([filter, pageSize, after]));
  const log = q.data?.mutationLog;
  const start = (cursors.length - 1) * pageSize;
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <Section title="Filters">
        <form
          className="filters"
          aria-label="Log filters"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter(toFilter(form));
            setCursors([null]);
          }}
        >
          {TEXT_FILTERS.map(([k, label, hint]) => (
            <label key={k}>
              {label}
              <input name={k} value={form[k] ?? ''} placeholder={hint} onChange={set(k)} />
            </label>
          ))}
          <label>
            Outcome
            <select name="outcome" value={form.outcome ?? ''} onChange={set('outcome')}>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>{o || 'any'}</option>
              ))}
            </select>
          </label>
          <label>
            Kind
            <select name="kind" value={form.kind ?? ''} onChange={set('kind')}>
              {KINDS.map((o) => (
                <option key={o} value={o}>{o || 'any'}</option>
              ))}
            </select>
          </label>
          <label>
            From <input type="datetime-local" step="1" name="from" value={form.from ?? ''} onChange={set('from')} />
          </label>
          <label>
            To <input type="datetime-local" step="1" name="to" value={form.to ?? ''} onChange={set('to')} />
          </label>
          <div className="actions">
            <button type="submit">Apply filters</button>
            <button
              type="button"
              onClick={() => {
                setForm({});
                setFilter({});
                setCursors([null]);
              }}
            >
              Clear
            </button>
          </div>
        </form>
      </Section>
      <Section title="Mutation log">
        <Failure part="The mutation log" state={q} />
        {log && (
          <>
            <p className="summary" data-testid="log-summary">
              {log.totalCount === 0 ? 'No record matches.' : `Records ${start + 1}–${start + log.edges.length} of ${log.totalCount}`} {q.loading && <em>loading…</em>}
            </p>
            <table className="log">
              <thead>
                <tr>
                  <th>seq</th><th>time</th><th>department</th><th>kind</th><th>field</th><th>actor</th><th>subject</th><th>case</th><th>outcome</th>
                </tr>
              </thead>
              <tbody>
                {log.edges.map(({ node: r }) => (
                  <tr key={r.seq} className={`outcome-${r.outcome}`}>
                    <td><a href={`#/audit/record/${r.seq}`} title="Open the record and its proof">#{r.seq}</a></td>
                    <td>{when(r.time)}</td>
                    <td>{r.department} <small>#{r.deptSeq}</small></td>
                    <td>{r.kind}{r.intentSeq ? ` of #${r.intentSeq}` : ''}</td>
                    <td><code>{r.field}</code>{r.powerItem ? <small> {r.powerItem}</small> : null}</td>
                    <td>{r.actor.role}{r.actor.department ? `/${r.actor.department}` : ''}{r.actor.client ? ` (${r.actor.client})` : ''}</td>
                    <td>{r.subject?.masked ?? '—'}</td>
                    <td>{r.caseNumber ?? ''}</td>
                    <td>{r.outcome}{r.errorCode ? ` ${r.errorCode}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <div className="pager">
          <button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous page</button>
          <button disabled={!log?.pageInfo.hasNextPage} onClick={() => log?.pageInfo.endCursor && setCursors([...cursors, log.pageInfo.endCursor])}>Next page →</button>
          <label>
            Page size{' '}
            <select
              value={pageSize}
              onChange={(e) => {
                setPageSize(Number(e.target.value));
                setCursors([null]);
              }}
            >
              {[20, 50, 100].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
        </div>
      </Section>
    </>
  );
}
