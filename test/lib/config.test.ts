import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/config';

describe('loadConfig', () => {
  it('runs on defaults, with the real Kaspi hosts', () => {
    const config = loadConfig({});
    expect(config.api.port).toBe(3000);
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', embedded: true, namespace: 'default' });
    expect(config.database.url).toBeUndefined();
    expect(config.kaspi).toEqual({
      publicUrl: 'https://kaspi.kz',
      mcUrl: 'https://mc.shop.kaspi.kz',
      idmcUrl: 'https://idmc.shop.kaspi.kz',
      shopApiUrl: 'https://kaspi.kz/shop/api',
    });
  });

  it('reads values from the environment and treats empty ones as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      TEMPORAL_ADDRESS: 'temporal:7233',
      KASPI_PUBLIC_URL: 'http://127.0.0.1:9000/',
      DATABASE_URL: '',
    });
    expect(config.api.port).toBe(8080);
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', embedded: false });
    expect(config.kaspi.publicUrl).toBe('http://127.0.0.1:9000');
    expect(config.database.url).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', KASPI_MC_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'KASPI_MC_URL', 'PORT']);
    expect(message).toMatch(/PORT: /);
    expect(message).not.toContain('abc');
  });

  it('names the variable and the rule, never the value: a bad value may be a secret', () => {
    const secrets = {
      JWT_SECRET: 'short-secret-SNT1',
      DATABASE_URL: 'mysql://admin:SNT2password@db/x',
      ENCRYPTION_KEYS: 'k1:U05UM3Nob3J0',
      CODEC_TOKEN: 'SNT4 with spaces that is long enough',
      OPERATOR_TOKEN: 'SNT5',
      TELEGRAM_BOT_TOKEN: 'SNT6-not-a-bot-token',
      BILLING_WEBHOOK_SECRET: 'SNT7',
      TRUST_PROXY: 'SNT8',
    };
    let error: unknown;
    try {
      loadConfig(secrets);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(issues.map((i) => i.variable).sort()).toEqual(Object.keys(secrets).sort());
    expect(message).toMatch(/JWT_SECRET: must be at least 32 characters/);
    expect(message).not.toMatch(/SNT|U05UM3Nob3J0/);
  });
});
