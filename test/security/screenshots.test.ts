import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneScreenshots } from '../../src/logins/browser';
import { loadConfig } from '../../src/lib/config';

describe('failed-login screenshots', () => {
  it('are deleted once older than the retention period', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-shots-'));
    try {
      const old = path.join(dir, 'old-login.png');
      const fresh = path.join(dir, 'fresh-login.png');
      const other = path.join(dir, 'notes.txt');
      for (const file of [old, fresh, other]) fs.writeFileSync(file, 'x');
      const fourDaysAgo = new Date(Date.now() - 4 * 24 * 3_600_000);
      fs.utimesSync(old, fourDaysAgo, fourDaysAgo);
      fs.utimesSync(other, fourDaysAgo, fourDaysAgo);
      const retentionHours = loadConfig({}).browser.screenshotRetentionHours;
      expect(retentionHours).toBe(72);
      expect(await pruneScreenshots(dir, retentionHours * 3_600_000)).toBe(1);
      expect(fs.existsSync(old)).toBe(false);
      expect(fs.existsSync(fresh)).toBe(true);
      expect(fs.existsSync(other)).toBe(true);
      expect(await pruneScreenshots(path.join(dir, 'missing'), 1)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
