/**
 * The machine's floor for talking between threads and between processes. Between threads: a message
 * to a worker thread that answers at once, and its answer, which every group commit in a subgraph's
 * writer thread pays once. Between processes: a TCP round trip of a small message between two
 * Node processes on 127.0.0.1, with nothing done on either side. Every dashboard makes twelve such
 * exchanges (client → gateway, gateway → each subgraph, each subgraph but the housing fund's → its
 * stand-in), and on a virtual machine waking the other side costs far more CPU than on bare metal, so
 * the figure says how much of a per-request CPU figure no code of ours can remove. Printed beside the
 * benches' figures.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { cpuSeconds } from './proc.ts';

/** An echo server in a child process; it prints its port. */
const ECHO = `const s = require('node:net').createServer((c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

/** CPU µs per round trip of each side, and its wall time. */
export interface Floor {
  clientUs: number;
  serverUs: number;
  wallUs: number;
}

/** Times `rounds` round trips of a 600-byte message (after 2,000 of warm-up). */
export async function tcpRoundTrip(rounds = 20_000): Promise<Floor> {
  const child = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    });
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const message = Buffer.alloc(600, 'x');
    // A 600-byte message arrives in one read on loopback; the round trip ends with its echo.
    const trip = () => new Promise<void>((resolve) => {
      socket.once('data', () => resolve());
      socket.write(message);
    });
    for (let i = 0; i < 2_000; i++) await trip();
    const own0 = process.cpuUsage();
    const server0 = cpuSeconds(child.pid!);
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await trip();
    const wallUs = ((performance.now() - t0) * 1000) / rounds;
    const own = process.cpuUsage(own0);
    const serverUs = ((cpuSeconds(child.pid!) - server0) * 1e6) / rounds;
    socket.destroy();
    return { clientUs: (own.user + own.system) / rounds, serverUs, wallUs };
  } finally {
    child.kill();
  }
}

/** One line for a bench's output. */
export function describeFloor(f: Floor): string {
  return `this machine's floor: a TCP round trip of 600 bytes between two Node processes costs ${f.clientUs.toFixed(0)} µs of CPU in the sender and ${f.serverUs.toFixed(0)} µs in the echoing process (wall ${f.wallUs.toFixed(0)} µs)`;
}

/** CPU µs per round trip of the whole process and of this thread (and of it, system time), and its wall time. */
export interface ThreadFloor {
  processUs: number;
  ownUs: number;
  ownSystemUs: number;
  wallUs: number;
}

/** Times `rounds` round trips of a small group-like message to a worker thread (after 500 of warm-up). */
export async function threadRoundTrip(rounds: number): Promise<ThreadFloor> {
  const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
  const trip = (i: number) => new Promise<void>((done) => {
    worker.once('message', () => done());
    worker.postMessage({ id: i, entries: [{ draft: { department: 'population', field: 'Citizen.name' } }] });
  });
  try {
    for (let i = 0; i < 500; i++) await trip(i);
    const own0 = process.threadCpuUsage();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await trip(i);
    const wallUs = ((performance.now() - t0) * 1000) / rounds;
    const own = process.threadCpuUsage(own0);
    const cpu = process.cpuUsage(cpu0);
    return { processUs: (cpu.user + cpu.system) / rounds, ownUs: (own.user + own.system) / rounds, ownSystemUs: own.system / rounds, wallUs };
  } finally {
    await worker.terminate();
  }
}

/** One line for a bench's output. */
export function describeThreadFloor(f: ThreadFloor): string {
  return `a round trip to a worker thread that does nothing: CPU ${f.processUs.toFixed(0)} µs (this thread ${f.ownUs.toFixed(0)} µs, of it system ${f.ownSystemUs.toFixed(0)} µs), wall ${f.wallUs.toFixed(0)} µs`;
}
