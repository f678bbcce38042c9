/**
 * Starts CityGraph's processes as real child processes, each announcing its URL when ready. Used by
 * `npm start`, the whole-system tests and the benchmarks, so all three run the same thing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** V8's code cache on disk (Node 24) for every process of a city and for the launcher itself, under node_modules, which `npm ci` replaces. */
export const COMPILE_CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'citygraph-compile');

/**
 * For a command-line process (the launcher, the audit command, a bench): what it imports from now on, and the modules
 * of every worker thread it starts, come from that code cache. A worker thread turns the cache on only
 * when NODE_COMPILE_CACHE is in the environment it is given. Without the cache, each worker type-strips its
 * TypeScript again: the verifier's two workers were ready in 145–235 ms without it and 63–108 ms with it
 * (a throwaway script, Node 24.22.3).
 */
export function useCompileCache(): void {
  enableCompileCache(COMPILE_CACHE_DIR);
  process.env.NODE_COMPILE_CACHE ??= COMPILE_CACHE_DIR;
}

/** A started child process and the URL it announced. */
export interface Service {
  name: string;
  url: string;
  child: ChildProcess;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Output lines the process wrote (stdout and stderr), for tests that read logs. */
  output: string[];
  /** `process.version` of the child, as it announced it when ready. */
  nodeVersion: string;
}

/** Options of one child process. */
export interface LaunchOptions {
  /** A readable name for messages. */
  name: string;
  /** Entry module relative to the repository root, e.g. `gateway/main.ts`. */
  entry: string;
  /** Absolute path of a bundle of `entry` to run instead (scripts/lib/bundle.ts); default the entry itself. */
  bundle?: string;
  /** Environment added to the parent's. */
  env?: Record<string, string>;
  /** Node flags of the child (e.g. scripts/lib/node-flags.ts); CITYGRAPH_NODE_ARGS in `env` comes after them, so it can override them. */
  nodeArgs?: readonly string[];
  /** Also echo the child's output to ours. Default false. */
  echo?: boolean;
  /** Milliseconds to wait for readiness. Default CITYGRAPH_READY_TIMEOUT_MS from the environment, else 30000. */
  readyTimeoutMs?: number;
  /** Aborted: a child that is not ready yet is killed (another process of its city failed to start). */
  signal?: AbortSignal;
}

/**
 * Forks `entry` and resolves when it sends `{ ready: url }`. Node 24 runs the TypeScript itself (type
 * stripping; tsconfig's `erasableSyntaxOnly` keeps the code strippable), so no process transpiles.
 */
export async function launch(options: LaunchOptions): Promise<Service> {
  // Cities reserve their ports against each other (city.ts), but a port chosen for the service can still be
  // taken for an instant by a process outside them, or by any city where the temp folder cannot hold
  // reservations: the service then fails to bind it; try it again shortly.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(options);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof Error) || !e.message.includes('EADDRINUSE')) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function launchOnce(options: LaunchOptions): Promise<Service> {
  const child = fork(options.bundle ?? fileURLToPath(new URL(options.entry, `file://${ROOT}`)), [], {
    cwd: ROOT,
    // CITYGRAPH_NODE_ARGS adds Node flags to one service, e.g. `--cpu-prof` for profiling.
    execArgv: [...(options.nodeArgs ?? []), ...(options.env?.CITYGRAPH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    // V8's code cache on disk (Node 24): later starts skip compiling (and type-stripping) what an earlier
    // start compiled already. It lives under node_modules, which `npm ci` replaces.
    env: { NODE_COMPILE_CACHE: COMPILE_CACHE_DIR, ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null, to: NodeJS.WritableStream) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      output.push(...lines);
      if (options.echo) to.write(lines.map((l) => `${l}\n`).join(''));
    });
  };
  collect(child.stdout, process.stdout);
  collect(child.stderr, process.stderr);

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });

  // Killed rather than stopped: it has nothing to drain yet, and may not even handle SIGTERM yet.
  const abort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not become ready in time. Its output:\n${output.slice(-20).join('\n')}`));
    }, options.readyTimeoutMs ?? readyTimeoutFromEnv());
    child.on('message', (m: { ready?: string; node?: string }) => {
      if (m && typeof m.ready === 'string') {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        resolve({ name: options.name, url: m.ready, child, stop, output, nodeVersion: m.node ?? 'unknown' });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      reject(new Error(`${options.name} exited before it was ready (code ${code}, signal ${signal}). Its output:\n${output.slice(-20).join('\n')}`));
    });
  });
}

/** A longer readiness wait for a machine loaded by other work (e.g. `CITYGRAPH_READY_TIMEOUT_MS=120000`); default 30 s. */
function readyTimeoutFromEnv(): number {
  const ms = Number(process.env.CITYGRAPH_READY_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : 30_000;
}
