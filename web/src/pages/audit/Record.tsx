/** One record with its chain proof and the checkpoint covering it, verified again in this browser. */
import { useEffect, useState } from 'react';
import { RecordWithProof } from '../../operations.ts';
import { Failure, Section, useQuery, when } from '../../ui.tsx';
import { verifyRecordProof, type VerifyResult } from '../../verify.ts';

/** The browser's verdict: green when every hash matches, red naming each hash that differs. */
export function ProofResult({ result }: { result: VerifyResult | null }) {
  if (!result) return <p className="summary">Verifying in the browser…</p>;
  const bad = result.steps.filter((s) => !s.ok);
  return (
    <div className={`proof ${result.ok ? 'verified' : 'failed'}`} data-testid="proof-result" role="status">
      <p className="verdict">
        {result.ok
          ? result.pending
            ? `The record hashes to its hash here too (SM3 recomputed in this browser). ${result.pending}`
            : 'Proof verified in this browser: the record hash (SM3 recomputed here), its leaf and the audit path lead to the root the checkpoint signed.'
          : `Proof FAILED in this browser: ${bad.map((s) => s.name).join('; ')} differ${bad.length === 1 ? 's' : ''}.`}
      </p>
      <table>
        <thead>
          <tr><th /><th>check</th><th>the server says</th><th>this browser computed</th></tr>
        </thead>
        <tbody>
          {result.steps.map((s) => (
            <tr key={s.name} className={s.ok ? 'ok' : 'differs'}>
              <td>{s.ok ? '✔' : '✘'}</td>
              <td>{s.name}</td>
              <td><code>{s.claimed}</code></td>
              <td><code>{s.computed}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The record page. */
export function RecordView({ seq }: { seq: number }) {
  const q = useQuery(RecordWithProof, { seq }, String(seq));
  const proof = q.data?.supervisionRecord;
  const [result, setResult] = useState<VerifyResult | null>(null);
  useEffect(() => {
    setResult(null);
    if (proof) void verifyRecordProof(proof).then(setResult);
  }, [proof]);
  const r = proof?.record;
  return (
    <>
      <Section title={`Record #${seq}`}>
        <p>
          <a href="#/audit/log">← back to the log</a> · <a href={`#/audit/record/${seq - 1}`}>previous seq</a> · <a href={`#/audit/record/${seq + 1}`}>next seq</a>
        </p>
        <Failure part={`Record #${seq}`} state={q} />
        {q.data && !proof && <p>There is no record #{seq}.</p>}
        {r && (
          <dl className="record">
            <dt>time</dt><dd>{when(r.time)} <small>{r.time}</small></dd>
            <dt>department · position</dt><dd>{r.department} #{r.deptSeq}</dd>
            <dt>kind · outcome</dt><dd>{r.kind}{r.intentSeq ? ` (closes intent #${r.intentSeq})` : ''} · {r.outcome}{r.errorCode ? ` ${r.errorCode}` : ''}</dd>
            <dt>field · power item</dt><dd><code>{r.field}</code> {r.powerItem ?? ''} {r.operation ? `(operation ${r.operation})` : ''}</dd>
            <dt>actor</dt><dd>{r.actor.role}{r.actor.department ? ` of ${r.actor.department}` : ''}{r.actor.client ? `, client ${r.actor.client}` : ''}{r.actor.sub ? `, ${r.actor.sub.masked}` : ''}{r.actor.onBehalfOf ? `, for ${r.actor.onBehalfOf.masked}` : ''}</dd>
            <dt>subject</dt><dd>{r.subject ? `${r.subject.kind} ${r.subject.masked}` : '—'}</dd>
            <dt>case</dt><dd>{r.caseNumber ?? '—'}</dd>
            <dt>arguments (masked)</dt><dd><code className="wrap">{r.args ?? '—'}</code></dd>
            <dt>request id</dt><dd><code>{r.requestId ?? '—'}</code></dd>
            <dt>previous hash</dt><dd><code>{r.prevHash}</code></dd>
            <dt>hash</dt><dd><code>{r.hash}</code></dd>
            <dt>next record's hash</dt><dd><code>{proof?.nextHash ?? '— (head of the chain)'}</code></dd>
          </dl>
        )}
      </Section>
      {proof && (
        <Section title="Proof, checked in this browser">
          <ProofResult result={result} />
          {proof.checkpoint && (
            <p className="hint">
              Checkpoint {proof.checkpoint.id} of {when(proof.checkpoint.time)}: {proof.checkpoint.hashAlgorithm.toUpperCase()} tree, signed {proof.checkpoint.signatureAlgorithm} by key{' '}
              <code>{proof.checkpoint.keyId.slice(0, 16)}…</code>; its signature is checked with every checkpoint under Integrity.
            </p>
          )}
        </Section>
      )}
    </>
  );
}
