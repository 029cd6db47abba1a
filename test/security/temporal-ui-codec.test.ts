import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/stack/ports';
import { resolveTemporalCli, startTemporalDevServer } from '../../src/stack/temporal-dev-server';

describe('the dev server’s Temporal UI codec endpoint', () => {
  it('reaches the UI without the codec token ever being on a command line', async () => {
    const token = `codec-${Date.now()}-0123456789abcdef`;
    const endpoint = `http://localhost:3999/codec/${token}`;
    const server = await startTemporalDevServer({
      cliPath: await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      uiCodecEndpoint: endpoint,
    });
    try {
      const cmdline = fs.readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('start-dev');
      expect(cmdline).not.toContain(token);
      const settings = (await (
        await fetch(`${server.uiUrl!.replace('localhost', '127.0.0.1')}/api/v1/settings`)
      ).json()) as {
        Codec: { Endpoint: string };
      };
      expect(settings.Codec.Endpoint).toBe(endpoint);
      // The settings file it was read from is gone.
      const file = cmdline.split('\0')[cmdline.split('\0').indexOf('--env-file') + 1]!;
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
