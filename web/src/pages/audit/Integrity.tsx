/** Integrity of every chain, verified by the store now, and every checkpoint with its signature. */
import { Integrity } from '../../operations.ts';
import { Failure, Section, useQuery, when } from '../../ui.tsx';

/** The integrity view. */
export function IntegrityView() {
  const q = useQuery(Integrity, {}, 'integrity');
  const i = q.data?.integrity;
  return (
    <>
      <Section title="Integrity of every chain">
        <Failure part="The integrity check" state={q} />
        {i && (
          <>
            <p className={`verdict ${i.ok ? 'verified' : 'failed'}`} data-testid="integrity-verdict">
              {i.ok ? `Every chain verifies: ${i.records} records, every checkpoint signature valid.` : `Integrity FAILED: ${i.problems.join(' ')}`}
            </p>
            <table>
              <thead><tr><th>department chain</th><th>length</th><th>head hash</th></tr></thead>
              <tbody>
                {i.departments.map((d) => (
                  <tr key={d.department}><td><a href={`#/audit/log`}>{d.department}</a></td><td>{d.length}</td><td><code>{d.head}</code></td></tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
      <Section title="Checkpoints">
        {q.data?.checkpoints?.length === 0 && <p>No checkpoint signed yet.</p>}
        <table>
          <thead><tr><th>id</th><th>time</th><th>records</th><th>signature</th><th>key</th><th>cosignatures</th><th>roots</th></tr></thead>
          <tbody>
            {[...(q.data?.checkpoints ?? [])].reverse().map((c) => (
              <tr key={c.id}>
                <td>{c.id}</td>
                <td>{when(c.time)}</td>
                <td>{c.totalSeq}</td>
                <td>{c.signatureAlgorithm} over {c.hashAlgorithm.toUpperCase()} · {i ? (i.ok ? 'valid' : 'see problems') : '…'}</td>
                <td><code>{c.keyId.slice(0, 12)}…</code></td>
                <td>{c.cosignatures.length}</td>
                <td><small>{c.heads.map((h) => `${h.department}@${h.deptSeq}`).join(' ')}</small></td>
              </tr>
            ))}
          </tbody>
        </table>
        {i?.lastCheckpoint && <p className="hint">Newest checkpoint: {i.lastCheckpoint.id}, {when(i.lastCheckpoint.time)}. Shown: the newest 50.</p>}
      </Section>
    </>
  );
}
