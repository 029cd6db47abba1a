import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRETS_ENV } from './secrets';

const ROOT = path.resolve(__dirname, '../..');

/** Runs one of our entry points (`src/api/server.ts`, `src/worker.ts`) as a real child process. */
export function spawnEntry(entry: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', LOG_PRETTY: 'false', ...TEST_SECRETS_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return Object.assign(child, { output: () => output });
}

/**
 * Like `spawnEntry`, but Node loads tsx itself rather than through tsx's launcher, so the child is
 * the program: a SIGKILL kills the worker, not a wrapper that would leave it running.
 */
export function spawnProgram(entry: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', LOG_PRETTY: 'false', ...TEST_SECRETS_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return Object.assign(child, { output: () => output });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
