/**
 * Sign-in. Development: mint a token for a chosen role (the gateway's dev-only endpoint) or paste one.
 * Production: paste the city identity provider's token (its `client`/`azp` claim must be `citygraph-console`).
 */
import { useEffect, useState } from 'react';
import { saveSession, sessionFromToken, type Session } from '../session.ts';

const DEMO_CITIZEN = '210102198503152318';

/** The sign-in page; `notice` says why the user is here again (e.g. an expired token). */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const [devSignIn, setDevSignIn] = useState<boolean | null>(null);
  const [role, setRole] = useState('auditor');
  const [sub, setSub] = useState(DEMO_CITIZEN);
  const [department, setDepartment] = useState('population');
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    fetch('/console/config.json')
      .then((r) => r.json())
      .then((c: { devSignIn?: boolean }) => setDevSignIn(Boolean(c.devSignIn)))
      .catch(() => setDevSignIn(false));
  }, []);

  const accept = (token: string) => {
    const s = sessionFromToken(token);
    if (!s) return setProblem('This is not a token CityGraph can read (a compact JWT with role and sub).');
    if (s.exp !== null && s.exp * 1000 < Date.now()) return setProblem('This token has expired: get a new one.');
    saveSession(s);
    onSignedIn(s);
  };

  const mint = async () => {
    setProblem(null);
    try {
      const r = await fetch('/console/dev-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role, sub: role === 'citizen' ? sub : undefined, department: role === 'staff' ? department : undefined }),
      });
      const body = (await r.json()) as { token?: string; errors?: { message: string }[] };
      if (!r.ok || !body.token) return setProblem(body.errors?.[0]?.message ?? `Sign-in refused (HTTP ${r.status}).`);
      accept(body.token);
    } catch {
      setProblem('The gateway cannot be reached.');
    }
  };

  return (
    <main className="signin">
      <h1>Sign in to CityGraph</h1>
      {notice && (
        <p className="failure" role="alert">
          {notice}
        </p>
      )}
      {devSignIn && (
        <form
          className="card"
          aria-label="Development sign-in"
          onSubmit={(e) => {
            e.preventDefault();
            void mint();
          }}
        >
          <h2>Development sign-in</h2>
          <p className="hint">This gateway runs in development: it makes a one-hour token for the role you choose.</p>
          <label>
            Role{' '}
            <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="auditor">auditor — the auditors' console</option>
              <option value="citizen">citizen — who used my data</option>
              <option value="staff">staff — a department clerk</option>
              <option value="admin">admin</option>
            </select>
          </label>
          {role === 'citizen' && (
            <label>
              Resident ID <input name="sub" value={sub} onChange={(e) => setSub(e.target.value)} />
            </label>
          )}
          {role === 'staff' && (
            <label>
              Department <input name="department" value={department} onChange={(e) => setDepartment(e.target.value)} />
            </label>
          )}
          <button type="submit">Sign in</button>
        </form>
      )}
      <form
        className="card"
        aria-label="Sign in with a token"
        onSubmit={(e) => {
          e.preventDefault();
          setProblem(null);
          accept(pasted);
        }}
      >
        <h2>{devSignIn ? 'Or paste a token' : "Sign in with the city identity provider's token"}</h2>
        <p className="hint">The token stays in this tab only and is sent in the Authorization header, never in a link.</p>
        <textarea name="token" rows={3} value={pasted} onChange={(e) => setPasted(e.target.value)} placeholder="eyJhbGciOi…" autoComplete="off" spellCheck={false} />
        <button type="submit">Use this token</button>
      </form>
      {problem && (
        <p className="failure" role="alert">
          {problem}
        </p>
      )}
    </main>
  );
}
