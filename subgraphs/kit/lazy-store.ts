/**
 * A supervision store opened on first use and reopened after a failure, so a subgraph starts and
 * answers queries while the store is down; only its mutations are refused (SUPERVISION_UNAVAILABLE).
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { SupervisionStore } from '../../supervision/index.ts';

type Method = Exclude<keyof SupervisionStore, 'backend' | 'close'>;

/** Wraps `open` so every call of the store waits for (or retries) the opening. */
export function lazySupervisionStore(open: () => Promise<SupervisionStore>, onError: (e: unknown) => void = () => {}): SupervisionStore & { ready(): Promise<boolean> } {
  let opening: Promise<SupervisionStore> | undefined;
  let opened: SupervisionStore | undefined;
  const get = () => {
    opening ??= open().then((s) => (opened = s), (e: unknown) => {
      opening = undefined;
      onError(e);
      throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, 'The supervision store cannot be reached, so no change can be recorded or read now.', { cause: e });
    });
    return opening;
  };
  const call =
    <M extends Method>(m: M) =>
    async (...args: Parameters<SupervisionStore[M]>) =>
      ((await get())[m] as (...a: unknown[]) => unknown)(...args);
  const methods = ['appendIntent', 'appendDenied', 'appendOutcome', 'appendAccess', 'recoverUnfinished', 'query', 'get', 'proof', 'checkpoint', 'checkpoints', 'exportCheckpoints', 'integrity'] as const;
  const store = Object.fromEntries(methods.map((m) => [m, call(m)])) as unknown as SupervisionStore;
  return Object.assign(store, {
    /** The backend once open; `unknown` before. */
    get backend() {
      return opened?.backend ?? ('unknown' as 'sqlite');
    },
    async close() {
      const s = await opening?.catch(() => undefined);
      await s?.close();
    },
    /** Tries to open now; true when the store is usable. */
    async ready() {
      try {
        await get();
        return true;
      } catch {
        return false;
      }
    },
  });
}
