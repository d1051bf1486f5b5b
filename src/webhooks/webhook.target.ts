/**
 * Where a webhook may go (server-side request forgery is the risk): https only (http in development and tests),
 * no credentials in the URL, and no loopback, link-local, private, carrier-grade NAT, multicast or unspecified
 * address unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows it. The URL is checked when an endpoint is saved, and the
 * address is checked again at every call, on the address actually connected to (a custom DNS lookup), so a name
 * that later resolves to an internal address is refused too.
 */
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { config } from '../shared/config';

const blocked = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, bits, 'ipv6');

export interface TargetPolicy { allowHttp: boolean; allowPrivate: boolean }

export function targetPolicy(): TargetPolicy {
  return { allowHttp: config.webhookAllowHttp, allowPrivate: config.webhookAllowPrivateTargets };
}

/** Why an address may not be called, or null. IPv4-mapped IPv6 addresses are judged as IPv4. */
export function addressProblem(address: string, policy: TargetPolicy): string | null {
  if (policy.allowPrivate) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  return blocked.check(ip, family)
    ? `${address} is a loopback, link-local or private address; webhooks go to public addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows them).`
    : null;
}

/** Why a URL may not be a webhook target (checked when saved), or null. */
export function urlProblem(raw: string, policy: TargetPolicy = targetPolicy()): string | null {
  let url: URL;
  try { url = new URL(raw); } catch { return 'Not a URL: give an absolute https:// URL.'; }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return policy.allowHttp ? 'Use an http:// or https:// URL.' : 'Use an https:// URL (plain http is allowed only in development).';
  }
  if (url.username || url.password) return 'Credentials in the URL are not allowed; the payload is signed instead.';
  if (raw.length > 2000) return 'The URL is too long (at most 2000 characters).';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return addressProblem(host, policy);
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local'))) {
    return `${host} is a local name; webhooks go to public hosts (WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows them).`;
  }
  return null;
}

/** A DNS lookup for http(s).request that refuses forbidden addresses, so the check holds for the connection itself. */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.map((a) => addressProblem(a.address, policy)).find(Boolean);
      if (bad) return callback(Object.assign(new Error(bad), { code: 'EFORBIDDENTARGET' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
