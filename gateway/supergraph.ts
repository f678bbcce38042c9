/**
 * The gateway's supergraph, replaceable while it runs: a new one (file change or SIGHUP) is handed to
 * @apollo/gateway, which builds and checks it before switching; requests already executing keep the
 * plan and schema they started with, later ones get the new. One that does not build is refused with a
 * clear log line, and the one in force stays.
 */
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../core/logger.ts';

/** The hook @apollo/gateway's `supergraphSdl` option accepts (a function form), and how to feed it. */
export interface SupergraphSource {
  /** Pass as `supergraphSdl` to ApolloGateway. */
  hook: (options: { update: (sdl: string) => void }) => Promise<{ supergraphSdl: string }>;
  /** Switches to `sdl`; rejects, keeping the current one, when it does not build. A text equal to the current one is a no-op. */
  load(sdl: string): Promise<void>;
}

/** A short fingerprint of a supergraph's text, for logs. */
export const supergraphId = (sdl: string): string => createHash('sha256').update(sdl).digest('hex').slice(0, 12);

/** Creates the source, starting from `initial`. */
export function supergraphSource(initial: string, log: Logger): SupergraphSource {
  let update: ((sdl: string) => void) | null = null;
  let current = supergraphId(initial);
  let queue = Promise.resolve();
  return {
    async hook(o) {
      update = o.update;
      return { supergraphSdl: initial };
    },
    load(sdl) {
      // One reload at a time, in the order asked.
      const next = queue.then(() => {
        const id = supergraphId(sdl);
        if (id === current) return;
        if (!update) throw new Error('The gateway has not loaded its first supergraph yet.');
        try {
          // Synchronous: @apollo/gateway builds, validates and plans with the new schema here, or throws.
          update(sdl);
        } catch (e) {
          log.error({ supergraph: id, inForce: current, reason: e instanceof Error ? e.message.slice(0, 2000) : String(e) }, 'new supergraph refused: it does not compose; the one in force stays');
          throw e;
        }
        log.info({ supergraph: id, previous: current }, 'supergraph reloaded');
        current = id;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/**
 * Reloads `file` into `source` when it changes (polled: a Kubernetes ConfigMap is swapped behind a
 * symlink, which a stat follows and an inotify watch on the old file misses) and on SIGHUP. Returns a stop function.
 */
export function watchSupergraphFile(file: string, source: Pick<SupergraphSource, 'load'>, log: Logger, intervalMs = 1000): () => void {
  const reload = (why: string) => {
    let sdl: string;
    try {
      sdl = readFileSync(file, 'utf8');
    } catch (e) {
      log.error({ file, why, reason: (e as Error).message }, 'supergraph file unreadable; the one in force stays');
      return;
    }
    source.load(sdl).catch(() => undefined); // refusal already logged
  };
  const onChange = () => reload('file changed');
  const onHup = () => reload('SIGHUP');
  watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  process.on('SIGHUP', onHup);
  return () => {
    unwatchFile(file, onChange);
    process.off('SIGHUP', onHup);
  };
}
