import { describe, expect, it } from '@jest/globals';
import { guardedLookup, ipLiteral, isBlockedAddress } from './target-guard.js';

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '224.0.0.1',
    '0.0.0.0', '100.64.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', 'not an address',
    // Not in any deny-list this guard ever had: only the allow-list refuses them.
    '::ffff:0:a00:1', '::ffff:0:808:808', '::127.0.0.1', '::7f00:1', '::10.0.0.1', '198.18.0.1', '198.19.255.255', '192.0.2.1', '198.51.100.7', '203.0.113.9',
    '240.0.0.1', '192.88.99.1', '192.0.0.8', '2001:db8::1', '100::1', '2001::1', '2001:2::1', '64:ff9b::c612:1',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe('ipLiteral', () => {
  it('recognises IPv4 and bracketed IPv6 hosts, not names', () => {
    expect(ipLiteral('127.0.0.1')).toBe('127.0.0.1');
    expect(ipLiteral('[::1]')).toBe('::1');
    expect(ipLiteral('localhost')).toBeUndefined();
  });
});

describe('guardedLookup', () => {
  const lookup = (hostname: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
      guardedLookup(hostname, { all }, (error, address) => resolve({ error, address }));
    });

  it('refuses a name that resolves to loopback, in both callback shapes', async () => {
    for (const all of [false, true]) {
      const { error } = await lookup('localhost', all);
      expect(error?.code).toBe('EWEBHOOKBLOCKED');
    }
  });

  it('passes a public address through in the shape the socket asked for', async () => {
    expect(await lookup('8.8.8.8', false)).toEqual({ error: null, address: '8.8.8.8' });
    expect(await lookup('8.8.8.8', true)).toEqual({ error: null, address: [{ address: '8.8.8.8', family: 4 }] });
  });
});
