// The servers under load, each a child process of its own: started, awaited until it
// answers, measured (its resident set's high-water mark) and stopped, even on failure.
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { freeLoopbackPort } from '../dist/src/database/embedded-postgres.js';

const root = resolve(import.meta.dirname, '..');
const START_TIMEOUT_MS = 300000; // the peer seeds its fixtures through its models before it listens

/**
 * Starts `node <args>` with `env` and PORT, and resolves once `readyPath` answers at all.
 * Its stop (SIGTERM, then SIGKILL after 10 s) is pushed onto `cleanups`.
 */
export async function start(label, nodeArgs, env, { cleanups, readyPath }) {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, nodeArgs, { cwd: root, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  let stopping = false;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  // A server that dies under load says why, rather than leaving the bench to fail on its missing /proc entry.
  child.once('exit', (code, signal) => stopping || process.stderr.write(`${label} exited unexpectedly (${code ?? signal}):\n${stderr}\n`));
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(killer);
  };
  cleanups.push(stop);
  for (const started = Date.now(); ; ) {
    if (child.exitCode !== null) throw new Error(`${label} exited during start-up:\n${stderr}`);
    if (await answers(port, readyPath)) break;
    if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`${label} did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return { label, port, child, stop, stderr: () => stderr };
}

async function answers(port, path) {
  try {
    await fetch(`http://127.0.0.1:${port}${path}`);
    return true;
  } catch {
    return false;
  }
}

/** The kernel's high-water mark of a process's resident set, in MB (VmHWM). */
export async function peakRssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** Runs `node <args>` to its end; rejects with its stderr unless it exits 0. */
export function runToEnd(label, nodeArgs, env) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${label} exited with ${code}:\n${stderr}`))));
  });
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time a process has used so far, user and system, in ms (/proc/<pid>/stat). */
export async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
