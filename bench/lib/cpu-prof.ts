/**
 * BENCH_CPU_PROF=gateway,subgraph-population: V8 CPU profiles of those processes of a started city, for
 * finding where a target's CPU goes (the figures then include the profiler). Written to
 * BENCH_CPU_PROF_DIR, default a folder under /tmp.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where profiles go. */
export const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR ?? join(tmpdir(), 'citygraph-bench-prof');

/** Per-service env (startCity's `serviceEnv`) that makes the services named in BENCH_CPU_PROF write profiles into `dir`. */
export function cpuProfEnv(dir = CPU_PROF_DIR): Record<string, Record<string, string>> {
  const names = (process.env.BENCH_CPU_PROF ?? '').split(',').filter(Boolean);
  return Object.fromEntries(names.map((name) => [name, { CITYGRAPH_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${dir}` }]));
}
