import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMPILE_CACHE_DIR } from '../lib/processes.ts';

/** In a fresh process (no NODE_COMPILE_CACHE), optionally calls useCompileCache, then reports the compile cache a new worker thread has. */
async function workerCacheDir(use: boolean): Promise<string> {
  const processes = new URL('../lib/processes.ts', import.meta.url).href;
  const script = `import { Worker } from 'node:worker_threads';
    import { useCompileCache } from ${JSON.stringify(processes)};
    if (${use}) useCompileCache();
    const w = new Worker("process.getBuiltinModule('node:worker_threads').parentPort.postMessage(String(process.getBuiltinModule('node:module').getCompileCacheDir()))", { eval: true });
    w.once('message', (dir) => { process.stdout.write(dir); void w.terminate(); });`;
  const env = { ...process.env };
  delete env.NODE_COMPILE_CACHE;
  return (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env })).stdout;
}

describe('useCompileCache (the audit command, bench:store)', () => {
  it('gives the worker threads started afterwards the code cache, which they do not have otherwise', async () => {
    expect(await workerCacheDir(false)).toBe('undefined');
    expect(await workerCacheDir(true)).toContain(COMPILE_CACHE_DIR);
  });
});
