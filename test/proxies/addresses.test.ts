import { describe, expect, it } from 'vitest';
import { checkSignature, isValidSignature, signBody } from '../../src/billing/signature';
import { maskSecret, parseProxyUrl, refusedAddressReason } from '../../src/proxies/addresses';

describe('proxy lines', () => {
  it('read http and socks5 URLs with credentials and a port', () => {
    expect(parseProxyUrl('http://user:p%40ss@1.2.3.4:8080')).toEqual({
      ok: true,
      value: { protocol: 'http', host: '1.2.3.4', port: 8080, username: 'user', password: 'p@ss' },
    });
    expect(parseProxyUrl(' socks5://u:p@Proxy.Example:1080/ ')).toMatchObject({
      ok: true,
      value: { protocol: 'socks5', host: 'proxy.example', port: 1080 },
    });
    expect(parseProxyUrl('http://u:p@1.2.3.4:80')).toMatchObject({ ok: true, value: { port: 80 } });
  });

  it('refuse what is not a proxy, saying why', () => {
    expect(parseProxyUrl('1.2.3.4:8080')).toMatchObject({ ok: false });
    expect(parseProxyUrl('https://u:p@1.2.3.4:443')).toEqual({ ok: false, reason: 'protocol must be http or socks5' });
    expect(parseProxyUrl('http://u:p@1.2.3.4')).toEqual({ ok: false, reason: 'port (1–65535) is required' });
    expect(parseProxyUrl('http://:p@1.2.3.4:1')).toEqual({ ok: false, reason: 'a password needs a user name' });
    expect(parseProxyUrl('http://u:p@1.2.3.4:8080/path')).toEqual({ ok: false, reason: 'a proxy URL has no path' });
  });

  it('spell numeric addresses one way, so they cannot pass as other proxies', () => {
    for (const spelling of ['0x7f000001', '2130706433', '127.1', '0177.0.0.1']) {
      expect(parseProxyUrl(`socks5://${spelling}:1080`)).toMatchObject({ ok: true, value: { host: '127.0.0.1' } });
    }
  });

  it('never echo a password', () => {
    expect(maskSecret('http://user:hunter2@1.2.3.4:8080')).toBe('http://user:***@1.2.3.4:8080');
  });
});

describe('address policy', () => {
  const publicResolver = async () => ['203.0.114.1'];

  it('allow public unicast addresses and names that resolve only to them', async () => {
    expect(await refusedAddressReason('8.8.8.8')).toBeUndefined();
    expect(await refusedAddressReason('2a00:1450:4001::1')).toBeUndefined();
    expect(await refusedAddressReason('proxy.example', async () => ['8.8.4.4'])).toBeUndefined();
  });

  it('refuse loopback, private, link-local and unspecified addresses in every spelling', async () => {
    for (const host of [
      '127.0.0.1',
      '127.5.6.7',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      '0.0.0.0',
      '::',
      '::ffff:10.0.0.1',
      'fc00::1',
      'fe80::1',
    ]) {
      expect(await refusedAddressReason(host, publicResolver), host).toMatch(/is not a public address/);
    }
  });

  it('check every address a name resolves to', async () => {
    expect(await refusedAddressReason('localhost')).toMatch(/127\.0\.0\.1|::1/);
    expect(await refusedAddressReason('sneaky.example', async () => ['8.8.8.8', '192.168.0.10'])).toMatch(
      /192\.168\.0\.10/,
    );
    expect(await refusedAddressReason('nowhere.example', async () => Promise.reject(new Error('ENOTFOUND')))).toBe(
      'host name does not resolve',
    );
  });
});

describe('webhook signatures', () => {
  it('accept exactly the HMAC-SHA256 of the signed timestamp and the body under the secret', () => {
    const body = Buffer.from('{"id":"evt_1"}');
    const signature = signBody('s3cret-key-0123456789', body);
    expect(signature).toMatch(/^t=\d+,sha256=[0-9a-f]{64}$/);
    expect(isValidSignature('s3cret-key-0123456789', body, signature)).toBe(true);
    expect(isValidSignature('s3cret-key-0123456789', Buffer.from('{"id":"evt_2"}'), signature)).toBe(false);
    expect(isValidSignature('another-key-0123456789', body, signature)).toBe(false);
    expect(isValidSignature('s3cret-key-0123456789', body, undefined)).toBe(false);
    expect(isValidSignature('s3cret-key-0123456789', body, signature.slice(0, -1))).toBe(false);
    // The timestamp is signed: moving it breaks the signature.
    const [t, mac] = signature.split(',') as [string, string];
    expect(isValidSignature('s3cret-key-0123456789', body, `t=${Number(t.slice(2)) + 1},${mac}`)).toBe(false);
  });

  it('refuse a timestamp more than five minutes from now, either way', () => {
    const body = Buffer.from('{"id":"evt_1"}');
    const now = Date.now();
    const at = (offsetSeconds: number) =>
      signBody('s3cret-key-0123456789', body, Math.floor(now / 1000) + offsetSeconds);
    expect(checkSignature('s3cret-key-0123456789', body, at(-299), now)).toEqual({ ok: true });
    expect(checkSignature('s3cret-key-0123456789', body, at(299), now)).toEqual({ ok: true });
    expect(checkSignature('s3cret-key-0123456789', body, at(-301), now)).toEqual({ ok: false, reason: 'stale' });
    expect(checkSignature('s3cret-key-0123456789', body, at(301), now)).toEqual({ ok: false, reason: 'stale' });
  });
});
