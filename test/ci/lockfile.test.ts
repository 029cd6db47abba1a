import { execFile as execFileCb } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFile = promisify(execFileCb);
const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/lint-lockfile.sh');

/** The offline lockfile check passes the committed lockfile and refuses each kind of bad one. */
describe('the lockfile check', () => {
  let dir: string;
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const someKey = Object.keys(lock.packages).find((k) => k.startsWith('node_modules/'))!;

  const check = (lockfile: string) =>
    execFile('bash', [SCRIPT], { env: { ...process.env, LOCKFILE: lockfile } }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
    );
  const doctored = (name: string, change: (entry: Record<string, unknown>) => void) => {
    const copy = structuredClone(lock);
    change(copy.packages[someKey]);
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(copy));
    return file;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-lockfile-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes package-lock.json', async () => {
    expect(await check(path.join(ROOT, 'package-lock.json'))).toMatchObject({ code: 0 });
  });

  it('refuses a package from another host, one without an integrity hash, and a missing lockfile', async () => {
    const bad = {
      host: doctored('host', (e) => (e.resolved = 'http://packages.example.com/x/-/x-1.0.0.tgz')),
      integrity: doctored('integrity', (e) => delete e.integrity),
      missing: path.join(dir, 'absent.json'),
    };
    for (const [what, file] of Object.entries(bad)) expect((await check(file)).code, what).not.toBe(0);
    expect((await check(bad.integrity)).output).toContain(someKey);
  });
});
