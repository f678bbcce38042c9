/** Shared pieces of the pages: a query hook that keeps what it has, and the ways a failure is shown. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ApiError, run, type PartError } from './api.ts';

/** The state of one query: the last data it got stays when a later try fails. */
export interface QueryState<R> {
  data: R | null;
  partErrors: PartError[];
  error: ApiError | null;
  loading: boolean;
  /** When `data` was loaded. */
  loadedAt: Date | null;
  reload: () => void;
}

/** Runs `document` whenever `key` changes (and on reload); `skip` runs nothing. */
export function useQuery<R, V>(document: TypedDocumentNode<R, V>, variables: V, key: string, skip = false): QueryState<R> {
  const [state, setState] = useState<Omit<QueryState<R>, 'reload'>>({ data: null, partErrors: [], error: null, loading: !skip, loadedAt: null });
  const [tick, setTick] = useState(0);
  const vars = useRef(variables);
  vars.current = variables;
  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    run(document, vars.current).then(
      (a) => live && setState({ data: a.data, partErrors: a.partErrors, error: null, loading: false, loadedAt: new Date() }),
      (e: unknown) => {
        if (!live) return;
        const error = e instanceof ApiError ? e : new ApiError('failed', String(e));
        if (error.kind === 'expired' || error.kind === 'unauthenticated') window.dispatchEvent(new CustomEvent('citygraph:signed-out', { detail: error.message }));
        setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => {
      live = false;
    };
  }, [document, key, tick, skip]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

const DEPARTMENT_NAMES: Record<string, string> = {
  population: 'population registry',
  medicalInsurance: 'medical insurance',
  housingFund: 'housing provident fund',
  parking: 'parking platform',
  marketRegulation: 'enterprise registry',
  services: 'online service hall',
  supervision: 'supervision store',
  citycode: 'city code',
  documents: 'document library',
};

/** A department's name in words. */
export function departmentName(d: string | null | undefined): string {
  return d ? (DEPARTMENT_NAMES[d] ?? d) : 'a department';
}

/** What failed, said for the part of the page it concerns; what was loaded before stays on the page. */
export function Failure({ part, state, has }: { part: string; state: Pick<QueryState<unknown>, 'error' | 'partErrors' | 'loadedAt' | 'data' | 'reload'>; has?: boolean }) {
  const { error, partErrors, loadedAt, data } = state;
  if (!error && partErrors.length === 0) return null;
  if (error) {
    // `has`: whether this part holds anything from before (the query's data may hold other parts only).
    const kept = (has ?? Boolean(data)) && loadedAt ? ` Showing what was loaded at ${loadedAt.toLocaleTimeString()}.` : '';
    const text =
      error.kind === 'network'
        ? `${part}: the gateway cannot be reached.${kept}`
        : error.kind === 'forbidden'
          ? `${part}: your role may not see this (${error.message}). Nothing is shown.`
          : `${part} could not be loaded: ${error.message}${error.code ? ` (${error.code})` : ''}.${kept}`;
    return (
      <div className="failure" role="alert" data-part={part}>
        {text} <button onClick={state.reload}>Try again</button>
      </div>
    );
  }
  return (
    <div className="failure partial" role="alert" data-part={part}>
      {partErrors.map((e, i) => (
        <div key={i}>
          {part}: {e.department ? `the ${departmentName(e.department)} could not answer` : e.message}
          {e.path ? ` (${e.path})` : ''}{e.code ? ` — ${e.code}` : ''}. The rest is shown.
        </div>
      ))}
    </div>
  );
}

/** A labelled section of a page. */
export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" id={id} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A time in the viewer's zone, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('zh-CN', { hour12: false });
}

/** Navigates within the console (hash routes: nothing of the session goes into the URL). */
export function go(route: string): void {
  window.location.hash = route;
}
