/** Where a daemon keeps everything it knows (CONTRACT.md). */
export const DEFAULT_DATA_ROOT = '/var/lib/shoal';

/** The local control socket the CLI talks to. */
export const DEFAULT_HOST = 'unix:///run/shoal/shoal.sock';

/** The Docker Engine a node runs tasks on, unless --docker-host or DOCKER_HOST says otherwise. */
export function defaultDockerHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** The CLI's target: -H wins, then SHOAL_HOST, then the default socket. */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.SHOAL_HOST || DEFAULT_HOST;
}

/** The port managers listen on for nodes and other managers. */
export const DEFAULT_SWARM_PORT = 2377;

/**
 * Every node's daemon listens here so a leader can tell a dead daemon from
 * a slow one (src/daemon/liveness-listener.ts). 7946/tcp is the port Swarm
 * already needs open between all nodes, so existing firewall rules fit.
 */
export const NODE_LIVENESS_PORT = 7946;
