import type { Handlers } from './server.js';

type AnyHandler = (...args: unknown[]) => Promise<unknown>;

/**
 * Handlers for every method of a service that hand each call, with its
 * arguments, to `call`: the one way shoal proxies a service (local socket
 * to the node's manager, follower to the leader, manager to its dispatcher).
 */
export function proxyHandlers<S extends object>(definition: S, call: (method: keyof S & string, args: unknown[]) => Promise<unknown>): Handlers<S> {
  const out: Record<string, AnyHandler> = {};
  for (const name of Object.keys(definition)) out[name] = (...args: unknown[]) => call(name as keyof S & string, args);
  return out as unknown as Handlers<S>;
}

/** Calls one method of a handler set with the arguments a proxy received. */
export function callHandler<S>(handlers: Handlers<S>, method: keyof S, args: unknown[]): Promise<unknown> {
  return (handlers[method] as unknown as AnyHandler)(...args);
}
