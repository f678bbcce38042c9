import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../standin/main.ts', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => { child?.kill('SIGKILL'); });

describe('medical insurance stand-in process', () => {
  it('announces its URL on stdout and over IPC, serves 1101, and exits cleanly on SIGTERM', async () => {
    child = fork(MAIN, [], { execArgv: [], env: { ...process.env, PORT: '0', LATENCY_MS: '5' }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let stdout = '';
    child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      child!.once('message', (m) => resolve((m as { ready: string }).ready));
      child!.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(stdout.trim())).toEqual({ service: 'medicalInsurance-standin', url });
    expect((await fetch(`${url}/__stats`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
