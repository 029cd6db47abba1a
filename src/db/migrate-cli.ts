import { getConfig, requireSetting } from '../lib/config';
import { runMigrations } from './migrate';

async function main() {
  const config = getConfig();
  await runMigrations(requireSetting(config.database.url, 'DATABASE_URL'));
  console.log('migrations applied');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
