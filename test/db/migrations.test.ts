import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

describe('committed migrations', () => {
  it('match the drizzle schema (generating again finds nothing to do)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-drizzle-'));
    fs.cpSync(path.join(ROOT, 'drizzle'), out, { recursive: true });
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/drizzle-kit/bin.cjs'),
        'generate',
        '--dialect',
        'postgresql',
        '--schema',
        './src/db/schema/index.ts',
        '--out',
        path.relative(ROOT, out),
      ],
      { cwd: ROOT },
    );
    fs.rmSync(out, { recursive: true, force: true });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/No schema changes/);
  });
});
