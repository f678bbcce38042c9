/** The auditors' console: the log, one record's proof, alarms, integrity and the chart (role `auditor`). */
import type { Session } from '../session.ts';
import { AlarmsView } from './audit/Alarms.tsx';
import { ActivityChart } from './audit/Chart.tsx';
import { IntegrityView } from './audit/Integrity.tsx';
import { LogView } from './audit/Log.tsx';
import { RecordView } from './audit/Record.tsx';

const TABS: [string, string][] = [
  ['/audit/log', 'Mutation log'],
  ['/audit/alarms', 'Alarms'],
  ['/audit/integrity', 'Integrity'],
  ['/audit/chart', 'Activity chart'],
];

/** The console; another role gets a clear message and no request is sent. */
export function AuditorConsole({ session, route }: { session: Session; route: string }) {
  if (session.role !== 'auditor') {
    return (
      <main>
        <p className="failure" role="alert">
          The auditors' console is for auditors. You are signed in as {session.role}: sign out and sign in as an auditor to see it. Nothing was loaded.
        </p>
      </main>
    );
  }
  const record = /^\/audit\/record\/(\d+)$/.exec(route);
  return (
    <main>
      <h1>Auditors' console</h1>
      <nav className="tabs">
        {TABS.map(([href, label]) => (
          <a key={href} href={`#${href}`} className={route === href ? 'active' : ''}>
            {label}
          </a>
        ))}
      </nav>
      {record ? (
        <RecordView seq={Number(record[1])} />
      ) : route === '/audit/alarms' ? (
        <AlarmsView />
      ) : route === '/audit/integrity' ? (
        <IntegrityView />
      ) : route === '/audit/chart' ? (
        <ActivityChart />
      ) : (
        <LogView />
      )}
    </main>
  );
}
