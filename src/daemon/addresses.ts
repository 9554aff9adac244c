import { networkInterfaces } from 'node:os';
import { DEFAULT_SWARM_PORT } from '../common/defaults.js';

/** host:port with Docker's default port when none is given; IPv6 in brackets stays as is. */
export function withDefaultPort(addr: string, port = DEFAULT_SWARM_PORT): string {
  if (/^\[.*\]:\d+$/.test(addr) || /^[^:]+:\d+$/.test(addr)) return addr;
  return `${addr}:${port}`;
}

/** The host part of host:port. */
export function hostOf(addr: string): string {
  const at = addr.lastIndexOf(':');
  return (at > 0 ? addr.slice(0, at) : addr).replace(/^\[|\]$/g, '');
}

/** The port of host:port, or the default. */
export function portOf(addr: string, fallback = DEFAULT_SWARM_PORT): number {
  const m = /:(\d+)$/.exec(addr);
  return m ? Number(m[1]) : fallback;
}

/**
 * The address to advertise when the user gave none: the listen address if it
 * is specific, else the one non-loopback IPv4 address of this host; several
 * candidates is an error, as in Docker.
 */
export function chooseAdvertiseAddr(advertise: string, listen: string): string {
  const port = portOf(listen);
  if (advertise) {
    // An interface name is accepted too, as in Docker.
    const ifaceAddr = networkInterfaces()[hostOf(advertise)]?.find((a) => a.family === 'IPv4')?.address;
    return withDefaultPort(ifaceAddr ? advertise.replace(hostOf(advertise), ifaceAddr) : advertise, port);
  }
  const listenHost = hostOf(listen);
  if (listenHost && listenHost !== '0.0.0.0' && listenHost !== '::') return withDefaultPort(listenHost, port);
  const candidates = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  const unique = [...new Set(candidates)];
  if (unique.length === 1) return `${unique[0]}:${port}`;
  if (unique.length === 0) throw new Error('could not find an address to advertise: this host has no non-loopback IPv4 address; use --advertise-addr');
  throw new Error(`could not choose an IP address to advertise since this system has multiple addresses (${unique.join(', ')}): use --advertise-addr`);
}
