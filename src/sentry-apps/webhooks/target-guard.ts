import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** An error whose code is EWEBHOOKBLOCKED: the target resolved to an address webhooks may not reach. */
export class BlockedTargetError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
  constructor(address: string) {
    super(`Webhook target resolves to a non-public address (${address})`);
  }
}

/**
 * True unless `address` is in ipaddr.js's `unicast` range: an allow-list, so that every
 * special-purpose range it knows (loopback, private, link-local, multicast, RFC 6145's
 * ::ffff:0:0/96, 198.18.0.0/15, documentation prefixes, …) is refused without being listed
 * here (Sentry, too, refuses to deliver webhooks into its own network). IPv4-mapped
 * addresses are checked as the IPv4 address they are, IPv4-compatible ones (::/96) are
 * refused, and NAT64 (RFC 6052) and 6to4 (RFC 3056) addresses are checked by the IPv4
 * address they carry.
 */
export function isBlockedAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.process(address); // ::ffff:10.0.0.1 is 10.0.0.1
  if (parsed.kind() === 'ipv4') return parsed.range() !== 'unicast';
  const ipv6 = parsed as ipaddr.IPv6;
  // IPv4-compatible addresses (::a.b.c.d, deprecated by RFC 4291) are unicast to ipaddr.js,
  // yet reach a.b.c.d where ::/96 is routed: nothing public needs them.
  if (ipv6.parts.slice(0, 6).every((part) => part === 0)) return true;
  return (embeddedIPv4(ipv6) ?? ipv6).range() !== 'unicast';
}

/** The IPv4 address that NAT64 (RFC 6052) and 6to4 (RFC 3056) addresses carry. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const bytes = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  if (address.range() === 'rfc6052') return new ipaddr.IPv4(bytes(p[6], p[7]));
  if (address.range() === '6to4') return new ipaddr.IPv4(bytes(p[1], p[2]));
  return undefined;
}

/** The host of a URL as an IP literal (brackets stripped), or undefined when it is a name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses blocked addresses. The socket connects to what
 * this returns, so the check applies to the address actually connected to, and a name that
 * resolves to something else on a second query (DNS rebinding) cannot get around it.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
    if (blocked) return callback(new BlockedTargetError(blocked.address), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
