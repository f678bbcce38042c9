/**
 * Mutations and alarms per department over time. Hand-drawn SVG: five buckets of stacked bars need no
 * chart library. Counts come from `totalCount` of filtered pages (one query per department), never
 * from the log loaded whole.
 */
import { useEffect, useState } from 'react';
import { run } from '../../api.ts';
import { DepartmentActivity, MutationLogPage } from '../../operations.ts';
import { departmentName, Failure, Section, useQuery, when } from '../../ui.tsx';

/** The departments of the graph, as the store names their chains. */
const DEPARTMENTS = ['population', 'medicalInsurance', 'housingFund', 'parking', 'marketRegulation', 'services', 'citycode', 'supervision', 'documents'];
const COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#ff7f0e'];
const BUCKETS = 5;

interface Row {
  department: string;
  mutations: number[];
  alarms: number[];
}

/** The chart view. */
export function ActivityChart() {
  const oldest = useQuery(MutationLogPage, { first: 1 }, 'oldest');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [edges, setEdges] = useState<string[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const start = oldest.data?.mutationLog?.edges[0]?.node.time;

  useEffect(() => {
    if (!start) return;
    const from = new Date(start).getTime();
    const to = Date.now() + 1000;
    const t = Array.from({ length: BUCKETS + 1 }, (_, i) => new Date(from + ((to - from) * i) / BUCKETS).toISOString());
    setEdges(t);
    const vars = { t0: t[0]!, t1: t[1]!, t2: t[2]!, t3: t[3]!, t4: t[4]!, t5: t[5]! };
    void Promise.all(
      DEPARTMENTS.map(async (department) => {
        try {
          const a = await run(DepartmentActivity, { department, ...vars });
          const d = a.data as Record<string, { totalCount: number } | null>;
          const count = (p: string) => Array.from({ length: BUCKETS }, (_, i) => d[`${p}${i}`]?.totalCount ?? 0);
          const alarmsFailed = a.partErrors.some((e) => /^a\d/.test(e.path));
          return { row: { department, mutations: count('m'), alarms: count('a') }, problem: alarmsFailed ? `alarms of ${departmentName(department)} could not be counted` : null };
        } catch (e) {
          return { row: null, problem: `${departmentName(department)}: ${(e as Error).message}` };
        }
      }),
    ).then((all) => {
      setRows(all.flatMap((x) => (x.row ? [x.row] : [])));
      setProblems(all.flatMap((x) => (x.problem ? [x.problem] : [])));
    });
  }, [start]);

  const shown = (rows ?? []).filter((r) => r.mutations.some((n) => n > 0) || r.alarms.some((n) => n > 0));
  const totals = Array.from({ length: BUCKETS }, (_, i) => shown.reduce((n, r) => n + r.mutations[i]!, 0));
  const alarmTotals = Array.from({ length: BUCKETS }, (_, i) => shown.reduce((n, r) => n + r.alarms[i]!, 0));
  const max = Math.max(1, ...totals, ...alarmTotals);
  const W = 720, H = 260, left = 40, bottom = 40, barW = 70, gap = (W - left - BUCKETS * barW * 1.5) / BUCKETS;
  const y = (n: number) => ((H - bottom - 24) * n) / max;

  return (
    <Section title="Mutations and alarms per department over time">
      <Failure part="The chart" state={oldest} />
      {problems.length > 0 && <p className="failure partial" role="alert">Not counted: {problems.join('; ')}.</p>}
      {oldest.data && !start && <p>The log is empty.</p>}
      {rows && (
        <>
          <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Mutations (bars, by department) and alarms (red) per time bucket" data-testid="chart">
            <line x1={left} y1={H - bottom} x2={W} y2={H - bottom} stroke="#999" />
            <text x={4} y={14} fontSize="11" fill="#555">{max}</text>
            {totals.map((_, i) => {
              const x = left + gap / 2 + i * (barW * 1.5 + gap);
              let acc = 0;
              return (
                <g key={i}>
                  {shown.map((r) => {
                    const h = y(r.mutations[i]!);
                    acc += h;
                    const color = COLORS[DEPARTMENTS.indexOf(r.department) % COLORS.length];
                    return h > 0 ? <rect key={r.department} x={x} y={H - bottom - acc} width={barW} height={h} fill={color}><title>{`${r.department}: ${r.mutations[i]} mutation(s)`}</title></rect> : null;
                  })}
                  {(() => {
                    // Alarms beside the mutations, stacked by department too, outlined in red.
                    let up = 0;
                    return shown.map((r) => {
                      const h = y(r.alarms[i]!);
                      up += h;
                      const color = COLORS[DEPARTMENTS.indexOf(r.department) % COLORS.length];
                      return h > 0 ? <rect key={`a-${r.department}`} x={x + barW + 4} y={H - bottom - up} width={barW / 2} height={h} fill={color} fillOpacity={0.45} stroke="#d62728" strokeWidth={2}><title>{`${r.department}: ${r.alarms[i]} alarm(s)`}</title></rect> : null;
                    });
                  })()}
                  <text x={x} y={H - bottom - acc - 4} fontSize="11">{totals[i]}</text>
                  {alarmTotals[i]! > 0 && <text x={x + barW + 4} y={H - bottom - y(alarmTotals[i]!) - 4} fontSize="11" fill="#d62728">{alarmTotals[i]}</text>}
                  <text x={x} y={H - bottom + 14} fontSize="10" fill="#333">{when(edges[i]).slice(5)}</text>
                </g>
              );
            })}
          </svg>
          <p className="legend">
            {shown.map((r) => (
              <span key={r.department}><i style={{ background: COLORS[DEPARTMENTS.indexOf(r.department) % COLORS.length] }} /> {r.department}</span>
            ))}
            <span><i style={{ background: '#fff', outline: '2px solid #d62728' }} /> alarms (narrow bars, by department)</span>
          </p>
          <table>
            <thead><tr><th>department</th>{edges.slice(0, BUCKETS).map((e, i) => <th key={i}>from {when(e)}</th>)}</tr></thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.department}><td>{r.department}</td>{r.mutations.map((n, i) => <td key={i}>{n} mutations{r.alarms[i] ? `, ${r.alarms[i]} alarms` : ''}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}
