/** Process plumbing shared by every service entry point: announce readiness, stop on signals. */
import type { Logger } from './logger.ts';

/** Tells the launcher this process is ready: one JSON line on stdout and, with IPC, a `ready` message with the runtime's version. */
export function announceReady(service: string, url: string): void {
  process.stdout.write(`${JSON.stringify({ service, url })}\n`);
  process.send?.({ ready: url, node: process.version });
}

/**
 * Closes `close` once on SIGTERM/SIGINT (or the launcher's IPC channel going away), then exits; exits
 * anyway after `forceAfterMs` (default 3000; longer for a process that drains its requests first).
 */
export function stopOnSignals(close: () => Promise<unknown>, log?: Logger, forceAfterMs = 3000): void {
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log?.info({ why }, 'stopping');
    const force = setTimeout(() => process.exit(0), forceAfterMs);
    force.unref();
    close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // A launcher that dies must not leave its children running.
  if (process.send) process.once('disconnect', () => stop('launcher gone'));
}
