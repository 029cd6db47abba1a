import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layering rules of eslint.config.mjs, shown failing on deliberate violations: each case lints a piece of
 * code as if it stood in a real file of the folder it breaks the rule of.
 */
const root = path.resolve(__dirname, '../..');
let eslint: ESLint;

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId?.startsWith('no-restricted'))
    .map((m) => m.message);
}

describe('the layering is held by the linter', () => {
  // The first lint loads the TypeScript project (half a minute on a busy machine): do it before the cases.
  beforeAll(async () => {
    eslint = new ESLint({ cwd: root });
    await eslint.lintText('export {};', { filePath: path.join(root, 'src/domain/money.ts') });
  });

  it('keeps I/O and the clock out of domain/', async () => {
    const errors = await layeringErrors(
      'src/domain/pricing.ts',
      [
        "import { eq } from 'drizzle-orm';",
        "import { createLogger } from '../lib/logger';",
        'export const now = () => Date.now();',
        'export const today = () => new Date();',
        'export const unused = [eq, createLogger];',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringContaining('domain/ is pure'),
      expect.stringContaining('domain/ is pure'),
      expect.stringContaining('domain/ reads no clock'),
      expect.stringContaining('domain/ reads no clock'),
    ]);
  });

  it('lets domain/ take types from elsewhere and dates from arguments', async () => {
    const errors = await layeringErrors(
      'src/domain/pricing.ts',
      [
        "import type { Config } from '../lib/config';",
        "import { z } from 'zod';",
        "import { money } from './money';",
        'export const at = (ms: number, c?: Config) => [new Date(ms), z, money, c];',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  });

  it('lets workflows import activities only as types, and no I/O at all', async () => {
    const errors = await layeringErrors(
      'src/workflows/demper.ts',
      [
        "import { proxyActivities } from '@temporalio/workflow';",
        "import type { Activities } from '../activities';",
        "import { planLimits } from '../domain/plans';",
        "import { createActivities } from '../activities';",
        "import { Client } from '@temporalio/client';",
        "import fs from 'node:fs';",
        'export const used = [proxyActivities, planLimits, createActivities, Client, fs];',
        'export type A = Activities;',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringContaining('activities and other modules only as types'),
      expect.stringContaining('Workflows import only @temporalio/workflow'),
      expect.stringContaining('Workflows import only @temporalio/workflow'),
    ]);
  });

  it('keeps the sandbox, the benchmarks and the tests out of production code', async () => {
    const errors = await layeringErrors(
      'src/stores/session.ts',
      [
        "import { startSandbox } from '../../sandbox';",
        "import { runMarket } from '../../bench/lib/system';",
        'export const used = [startSandbox, runMarket];',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringContaining('never imports the Kaspi sandbox'),
      expect.stringContaining('never imports the Kaspi sandbox'),
    ]);
  });
});
