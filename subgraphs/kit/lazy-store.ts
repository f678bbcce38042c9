/**
 * A supervision store opened on first use and reopened after a failure, so a subgraph starts and
 * answers queries while the store is down; only its mutations are refused (SUPERVISION_UNAVAILABLE).
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { SupervisionStore } from '../../supervision/index.ts';

type Method = Exclude<keyof SupervisionStore, 'backend' | 'close'>;

/** Wraps `open` so every call of the store waits for (or retries) the opening. */
export function lazySupervisionStore(open: () => Promise<SupervisionStore>, onError: (e: unknown) => void = () => {}): SupervisionStore {
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
  // Every method of the contract, checked by the compiler: a method added to the store cannot be forgotten here.
  const every: Record<Method, true> = {
    appendIntent: true, appendDenied: true, appendOutcome: true, appendAccess: true, appendAccesses: true, recoverUnfinished: true, query: true, get: true, proof: true,
    consistencyProof: true, addCosignature: true, cosignatures: true, checkpoint: true, checkpoints: true, exportCheckpoints: true, integrity: true,
  };
  const methods = Object.keys(every) as Method[];
  const store = Object.fromEntries(methods.map((m) => [m, call(m)])) as unknown as SupervisionStore;
  // A getter, not a copied value: the backend is known only once the store is open.
  Object.defineProperty(store, 'backend', { get: () => opened?.backend ?? 'unknown', enumerable: true });
  store.close = async () => {
    const s = await opening?.catch(() => undefined);
    await s?.close();
  };
  return store;
}
