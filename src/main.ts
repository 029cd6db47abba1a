import { configOrExit, type Config } from './lib/config';
import { createLogger } from './lib/logger';
import { startStack } from './stack/launcher';

/** `npm start`: the whole system on one machine, on embedded defaults. */
async function main(config: Config) {
  const logger = createLogger(config, 'launcher');
  const stack = await startStack(config, logger);

  console.log(
    [
      '',
      'Kaspi Demper is running',
      `  API          ${stack.apiUrl}`,
      `  API docs     ${stack.apiUrl}/docs`,
      `  Health       ${stack.apiUrl}/health/temporal`,
      `  Temporal UI  ${stack.temporalUiUrl}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    await stack.stop();
    process.exit(reason === 'SIGINT' || reason === 'SIGTERM' ? 0 : 1);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const crashed = await stack.exited;
  if (!stopping) {
    logger.error({ service: crashed }, 'a service exited unexpectedly');
    await shutdown(`${crashed} exited`);
  }
}

main(configOrExit()).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
