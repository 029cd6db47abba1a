import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { TEST_SECRETS_ENV } from './secrets';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs one of our entry points (`src/api/server.ts`, `src/worker.ts`) as a real child process. Node
 * loads tsx itself (`--import tsx`), so the child is the program: a signal reaches it, not a wrapper.
 */
export function spawnEntry(entry: string, env: Record<string, string>): ChildProcess & { output: () => string } {
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

/** What a child worker process needs to join the test's database, Temporal and task queue. */
export function workerProcessEnv(taskQueue: string, extra: Record<string, string>): Record<string, string> {
  return {
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...extra,
  };
}
