import { parseArgs } from 'node:util';
import { kaspiUrlsEnv, LIMIT_PROFILES, startSandbox, type ProfileName } from './index';

/**
 * `npm run sandbox [-- --products 50 --rivals 2-8 --profile measured --seed 1 --public-port 9001 --lenient ...]`:
 * a Kaspi sandbox with a generated demo market, printing the settings that point the service at it.
 * It shows real Kaspi's strict behaviours unless `--lenient` switches them all off.
 */
const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '50' },
    rivals: { type: 'string', default: '2-8' },
    profile: { type: 'string', default: 'measured' },
    seed: { type: 'string', default: '1' },
    proxies: { type: 'string', default: '4' },
    'public-port': { type: 'string', default: '0' },
    'mc-port': { type: 'string', default: '0' },
    'idmc-port': { type: 'string', default: '0' },
    'provider-port': { type: 'string', default: '0' },
    lenient: { type: 'boolean', default: false },
  },
});

function int(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${value}"`);
  return n;
}

async function main() {
  const profile = values.profile as ProfileName;
  if (!Object.hasOwn(LIMIT_PROFILES, profile)) {
    throw new Error(`--profile must be one of ${Object.keys(LIMIT_PROFILES).join(', ')}`);
  }
  const [minRivals, maxRivals = minRivals] = (values.rivals ?? '').split('-').map((v) => int('rivals', v));
  const sandbox = await startSandbox({
    profile,
    ...(values.lenient ? { lenient: true as const } : {}),
    seed: int('seed', values.seed),
    latency: { baseMs: 20, jitterMs: 40 },
    proxies: { count: int('proxies', values.proxies) },
    ports: {
      public: int('public-port', values['public-port']),
      mc: int('mc-port', values['mc-port']),
      idmc: int('idmc-port', values['idmc-port']),
      provider: int('provider-port', values['provider-port']),
    },
    generate: {
      products: int('products', values.products),
      rivalsPerProduct: [minRivals!, maxRivals!],
      seed: int('seed', values.seed),
      orders: 100,
    },
  });
  const merchant = sandbox.generated!.merchant;
  for (const [name, value] of Object.entries(kaspiUrlsEnv(sandbox.urls))) console.log(`${name}=${value}`);
  console.log(`WAHA_URL=${sandbox.waha.url}`);
  console.log(`WAHA_API_KEY=${sandbox.waha.apiKey}`);
  console.log(`TELEGRAM_API_URL=${sandbox.telegram.url}`);
  console.log(`TELEGRAM_BOT_TOKEN=${sandbox.telegram.botToken}`);
  console.log(`TELEGRAM_BOT_USERNAME=${sandbox.telegram.botUsername}`);
  console.log('');
  console.log(`# control API:    ${sandbox.controlUrl}  (see sandbox/README.md)`);
  console.log(`# proxy provider: ${sandbox.provider.url}/api/${sandbox.provider.apiKey}/getproxy`);
  for (const proxy of sandbox.proxies)
    console.log(`# proxy ${proxy.id}:     ${proxy.url}  (exits from ${proxy.localAddress})`);
  console.log(`# demo merchant:  ${merchant.uid} "${merchant.name}", ${sandbox.generated!.products.length} products`);
  console.log(`#   login:        ${merchant.email} / ${merchant.password}, phone ${merchant.phone}`);
  console.log(`#   Shop API token: ${merchant.shopApiToken}`);
  console.log(`# limit profile:  ${profile}; strict Kaspi behaviours ${values.lenient ? 'off' : 'on'}. Ctrl-C stops.`);

  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
