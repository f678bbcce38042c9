/**
 * The console: one front end with hash routes (#/audit/…, #/me, #/signin), so that nothing of the
 * session ever appears in a URL the gateway or a proxy would log.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { clearSession, currentSession, type Session } from './session.ts';
import { SignIn } from './pages/SignIn.tsx';
import { AuditorConsole } from './pages/Auditor.tsx';
import { CitizenPage } from './pages/Citizen.tsx';
import { go } from './ui.tsx';
import './style.css';

function useRoute(): string {
  const [route, setRoute] = useState(window.location.hash.replace(/^#/, '') || '/');
  useEffect(() => {
    const on = () => setRoute(window.location.hash.replace(/^#/, '') || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Where a role lands after signing in. */
const home = (s: Session) => (s.role === 'auditor' ? '/audit/log' : s.role === 'citizen' || s.role === 'app' ? '/me' : '/audit/log');

function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(currentSession());
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    // An expired or refused token anywhere signs the user out, with the reason on the sign-in page.
    const on = (e: Event) => {
      const message = (e as CustomEvent<string>).detail;
      clearSession();
      setSession(null);
      setNotice(/expired/i.test(message) ? 'Your sign-in has expired. Please sign in again.' : `Your token was refused (${message}). Please sign in again.`);
    };
    window.addEventListener('citygraph:signed-out', on);
    return () => window.removeEventListener('citygraph:signed-out', on);
  }, []);

  if (!session || route === '/signin') {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          setNotice(null);
          setSession(s);
          go(route.startsWith('/audit') || route === '/me' ? route : home(s));
        }}
      />
    );
  }
  const signOut = () => {
    clearSession();
    setSession(null);
    setNotice(null);
    go('/signin');
  };
  const page = route.startsWith('/audit') ? <AuditorConsole session={session} route={route} /> : route === '/me' ? <CitizenPage session={session} /> : null;
  if (!page) go(home(session));
  return (
    <div className="shell">
      <header className="top">
        <strong>CityGraph</strong>
        <nav>
          <a href="#/audit/log">Auditors' console</a>
          <a href="#/me">Who used my data</a>
          <a href="/graphiql">GraphiQL</a>
        </nav>
        <span className="who">
          signed in as <b>{session.role}</b> {session.role === 'citizen' ? '' : session.sub}
          <button onClick={signOut}>Sign out</button>
        </span>
      </header>
      {page}
    </div>
  );
}

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
