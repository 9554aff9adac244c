// What a successful load makes of each Compose key.
import { describe, expect, it } from 'vitest';
import { loadOk, memoryFiles, service } from './load.test-support.js';

const web = (body: string, rest = '') => `services:\n  web:\n    image: shoal-test/busybox:latest\n${body}${rest}`;

describe('naming and labels', () => {
  it('scopes services and the default network, labels them, and records the image', () => {
    const { stack } = loadOk(web('    labels: {role: front}\n    deploy:\n      labels: [tier=web]\n'));
    const s = service(stack, 'web');
    expect(s.annotations).toEqual({ name: 'shop_web', labels: { 'com.docker.stack.image': 'shoal-test/busybox:latest', 'com.docker.stack.namespace': 'shop', tier: 'web' } });
    expect(s.task?.container?.labels).toEqual({ 'com.docker.stack.namespace': 'shop', role: 'front' });
    expect(s.task?.networks).toEqual([{ target: 'shop_default', aliases: ['web'] }]);
    expect(stack.networks).toEqual([
      {
        key: 'default',
        external: false,
        spec: {
          annotations: { name: 'shop_default', labels: { 'com.docker.stack.namespace': 'shop' } },
          driver: { name: 'overlay', options: {} },
          internal: false, attachable: false, ingress: false, ipam: [], ipv6: false,
        },
      },
    ]);
  });

  it('creates the default network only when some service uses it', () => {
    const { stack } = loadOk(web('    networks: [back]\n', 'networks:\n  back: {}\n  unused: {}\n'));
    expect(stack.networks.map((n) => n.spec.annotations?.name)).toEqual(['shop_back']);
  });

  it('keeps the names of external and explicitly named objects', () => {
    const text = web(
      '    networks: [ext, named]\n    secrets: [token, site_key]\n    configs: [conf]\n    volumes: [data:/data, shared:/shared]\n',
      'networks:\n  ext: {external: true}\n  named: {name: corp-net, driver: overlay}\n'
      + 'secrets:\n  token: {external: true}\n  site_key: {external: {name: legacy-key}}\n'
      + 'configs:\n  conf: {name: global-conf, file: ./c.txt}\n'
      + 'volumes:\n  data: {external: true}\n  shared: {name: nfs-shared, driver: local, driver_opts: {type: nfs, o: addr=10.0.0.1}}\n',
    );
    const { stack } = loadOk(text);
    expect(stack.networks.map((n) => [n.key, n.spec.annotations?.name, n.external])).toEqual([['named', 'corp-net', false], ['ext', 'ext', true]]);
    expect(stack.secrets.map((s) => [s.key, s.spec.annotations?.name, s.source.kind])).toEqual([['site_key', 'legacy-key', 'external'], ['token', 'token', 'external']]);
    expect(stack.configs.map((c) => [c.key, c.spec.annotations?.name, c.source])).toEqual([['conf', 'global-conf', { kind: 'file', path: '/stack/c.txt' }]]);
    expect(stack.volumes).toEqual([
      { key: 'data', name: 'data', external: true, driver: '', driverOpts: {}, labels: {} },
      { key: 'shared', name: 'nfs-shared', external: false, driver: 'local', driverOpts: { o: 'addr=10.0.0.1', type: 'nfs' }, labels: { 'com.docker.stack.namespace': 'shop' } },
    ]);
    const c = service(stack, 'web').task?.container;
    expect(c?.mounts.map((m) => [m.type, m.source, m.target])).toEqual([['VOLUME', 'data', '/data'], ['VOLUME', 'nfs-shared', '/shared']]);
    expect(service(stack, 'web').task?.networks.map((n) => n.target)).toEqual(['corp-net', 'ext']);
  });
});

describe('container', () => {
  it('maps command (split like a shell), entrypoint and simple fields', () => {
    const { stack } = loadOk(web(
      '    entrypoint: ["/bin/sh", "-c"]\n    command: echo "hello world" \'$$HOME\'\n    hostname: h1\n    user: "1000:1000"\n    working_dir: /srv\n'
      + '    stop_grace_period: 1m30s\n    stop_signal: SIGINT\n    init: true\n    tty: true\n    read_only: true\n',
    ));
    const c = service(stack, 'web').task?.container;
    expect(c).toMatchObject({
      command: ['/bin/sh', '-c'], args: ['echo', 'hello world', '$HOME'], hasEntrypoint: true, hostname: 'h1', user: '1000:1000', dir: '/srv',
      stopGracePeriodMs: 90_000, stopSignal: 'SIGINT', init: true, tty: true, readOnly: true,
    });
  });

  it('keeps a list command as is and leaves the entrypoint alone', () => {
    const c = service(loadOk(web('    command: ["sh", "-c", "echo $$X"]\n')).stack, 'web').task?.container;
    expect(c).toMatchObject({ args: ['sh', '-c', 'echo $X'], command: [], hasEntrypoint: false });
  });

  it('builds the environment from env_file, environment (list or map) and the shell, sorted', () => {
    const readFile = memoryFiles({ '/stack/web.env': 'FROM_FILE=1\nOVERRIDDEN=file\nEMPTY_IN_FILE=\n' });
    const text = web('    env_file: web.env\n    environment:\n      OVERRIDDEN: compose\n      FROM_SHELL:\n      NOT_ANYWHERE:\n      NUMBER: 3\n      FLAG: true\n');
    const c = service(loadOk(text, { readFile, env: { FROM_SHELL: 'shell', EMPTY_IN_FILE: 'shell-wins' } }).stack, 'web').task?.container;
    expect(c?.env).toEqual(['EMPTY_IN_FILE=shell-wins', 'FLAG=true', 'FROM_FILE=1', 'FROM_SHELL=shell', 'NOT_ANYWHERE', 'NUMBER=3', 'OVERRIDDEN=compose']);
    const list = service(loadOk(web('    environment: [A=1, B=x=y, C]\n')).stack, 'web').task?.container;
    expect(list?.env).toEqual(['A=1', 'B=x=y', 'C']);
  });

  it('maps healthcheck (string test → CMD-SHELL), disable, extra_hosts, dns, caps, sysctls, ulimits, logging', () => {
    const text = web(
      '    healthcheck:\n      test: wget -q -O- http://localhost/\n      interval: 5s\n      timeout: 2s\n      retries: 3\n      start_period: 1s\n'
      + '    extra_hosts: ["db.local:10.0.0.5", "cache=10.0.0.6"]\n    dns: 8.8.8.8\n    cap_add: [net_admin, CAP_SYS_TIME]\n    cap_drop: [MKNOD]\n'
      + '    sysctls: [net.core.somaxconn=1024]\n    ulimits:\n      nproc: 65535\n      nofile: {soft: 20000, hard: 40000}\n'
      + '    logging:\n      driver: json-file\n      options: {max-size: 10m}\n',
    );
    const s = service(loadOk(text).stack, 'web');
    expect(s.task?.container).toMatchObject({
      healthcheck: { test: ['CMD-SHELL', 'wget -q -O- http://localhost/'], intervalMs: 5000, timeoutMs: 2000, retries: 3, startPeriodMs: 1000 },
      hosts: ['10.0.0.5 db.local', '10.0.0.6 cache'],
      dnsNameservers: ['8.8.8.8'],
      capAdd: ['CAP_NET_ADMIN', 'CAP_SYS_TIME'],
      capDrop: ['CAP_MKNOD'],
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: [{ name: 'nofile', soft: 20000, hard: 40000 }, { name: 'nproc', soft: 65535, hard: 65535 }],
    });
    expect(s.task?.logDriver).toEqual({ name: 'json-file', options: { 'max-size': '10m' } });
    const off = service(loadOk(web('    healthcheck: {disable: true}\n')).stack, 'web');
    expect(off.task?.container?.healthcheck?.test).toEqual(['NONE']);
  });

  it('maps volumes (short and long, bind and named, relative and ~) and tmpfs', () => {
    const text = web(
      '    volumes:\n      - data:/var/lib/data:ro\n      - ./html:/www\n      - ~/cache:/cache\n      - /scratch\n'
      + '      - type: bind\n        source: /etc/hosts\n        target: /etc/hosts\n        read_only: true\n'
      + '      - type: tmpfs\n        target: /run/cache\n        tmpfs: {size: 64m, mode: 01777}\n'
      + '    tmpfs: ["/tmp:size=16m,mode=1777"]\n',
      'volumes:\n  data:\n',
    );
    const mounts = service(loadOk(text, { env: { HOME: '/home/ops' } }).stack, 'web').task?.container?.mounts;
    expect(mounts).toEqual([
      { type: 'VOLUME', source: 'shop_data', target: '/var/lib/data', readOnly: true, tmpfsSizeBytes: 0, tmpfsMode: 0 },
      { type: 'BIND', source: '/stack/html', target: '/www', readOnly: false, tmpfsSizeBytes: 0, tmpfsMode: 0 },
      { type: 'BIND', source: '/home/ops/cache', target: '/cache', readOnly: false, tmpfsSizeBytes: 0, tmpfsMode: 0 },
      { type: 'VOLUME', source: '', target: '/scratch', readOnly: false, tmpfsSizeBytes: 0, tmpfsMode: 0 },
      { type: 'BIND', source: '/etc/hosts', target: '/etc/hosts', readOnly: true, tmpfsSizeBytes: 0, tmpfsMode: 0 },
      { type: 'TMPFS', source: '', target: '/run/cache', readOnly: false, tmpfsSizeBytes: 64 * 1024 ** 2, tmpfsMode: 0o1777 },
      { type: 'TMPFS', source: '', target: '/tmp', readOnly: false, tmpfsSizeBytes: 16 * 1024 ** 2, tmpfsMode: 0o1777 },
    ]);
  });
});

describe('ports', () => {
  it('maps short and long forms, ranges and protocols, sorted by published port', () => {
    const text = web('    ports:\n      - "9090:80"\n      - 53:53/udp\n      - "127.0.0.1:8443:443"\n      - "3000-3001:4000-4001"\n      - "7000"\n      - target: 22\n        published: 2222\n        protocol: tcp\n        mode: host\n');
    const ports = service(loadOk(text).stack, 'web').endpoint?.ports.map((p) => `${p.publishedPort}:${p.targetPort}/${p.protocol}/${p.publishMode}`);
    expect(ports).toEqual(['0:7000/TCP/INGRESS', '53:53/UDP/INGRESS', '2222:22/TCP/HOST', '3000:4000/TCP/INGRESS', '3001:4001/TCP/INGRESS', '8443:443/TCP/INGRESS', '9090:80/TCP/INGRESS']);
  });

  it('endpoint_mode dnsrr', () => {
    expect(service(loadOk(web('    deploy: {endpoint_mode: dnsrr}\n')).stack, 'web').endpoint?.mode).toBe('DNSRR');
  });
});

describe('networks', () => {
  it('maps aliases, driver options, ipam, internal, attachable and labels', () => {
    const text = web(
      '    networks:\n      back:\n        aliases: [api, backend]\n      front:\n',
      'networks:\n  back:\n    driver: overlay\n    driver_opts: {encrypted: ""}\n    internal: true\n    labels: {purpose: db}\n'
      + '    ipam:\n      config:\n        - subnet: 10.10.0.0/24\n          gateway: 10.10.0.1\n  front:\n    attachable: true\n',
    );
    const { stack } = loadOk(text);
    expect(service(stack, 'web').task?.networks).toEqual([{ target: 'shop_back', aliases: ['api', 'backend', 'web'] }, { target: 'shop_front', aliases: ['web'] }]);
    const back = stack.networks.find((n) => n.key === 'back')?.spec;
    expect(back).toEqual({
      annotations: { name: 'shop_back', labels: { 'com.docker.stack.namespace': 'shop', purpose: 'db' } },
      driver: { name: 'overlay', options: { encrypted: '' } },
      internal: true, attachable: false, ingress: false, ipv6: false,
      ipam: [{ subnet: '10.10.0.0/24', gateway: '10.10.0.1', range: '' }],
    });
    expect(stack.networks.find((n) => n.key === 'front')?.spec.attachable).toBe(true);
  });
});

describe('deploy', () => {
  it('maps mode, replicas, resources, restart, placement, update and rollback configs', () => {
    const text = web(
      '    deploy:\n      replicas: 3\n      resources:\n        limits: {cpus: "0.5", memory: 512M}\n'
      + '        reservations:\n          cpus: 0.25\n          memory: 128M\n          generic_resources:\n            - discrete_resource_spec: {kind: gpu, value: 2}\n'
      + '      restart_policy: {condition: on-failure, delay: 10s, max_attempts: 3, window: 2m}\n'
      + '      placement:\n        constraints: [node.role == worker, node.labels.ssd == true]\n        preferences: [{spread: node.labels.zone}]\n        max_replicas_per_node: 2\n'
      + '      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.25, order: start-first}\n'
      + '      rollback_config: {parallelism: 0, failure_action: continue}\n',
    );
    const s = service(loadOk(text).stack, 'web');
    expect(s.mode).toEqual({ kind: 'REPLICATED', replicas: 3, totalCompletions: 0, maxConcurrent: 0 });
    expect(s.task?.resources).toEqual({
      limits: { nanoCpus: 500_000_000, memoryBytes: 512 * 1024 ** 2, generic: [] },
      reservations: { nanoCpus: 250_000_000, memoryBytes: 128 * 1024 ** 2, generic: [{ kind: 'gpu', value: 2 }] },
    });
    expect(s.task?.restart).toEqual({ condition: 'ON_FAILURE', delayMs: 10_000, maxAttempts: 3, windowMs: 120_000 });
    expect(s.task?.placement).toEqual({
      constraints: ['node.role == worker', 'node.labels.ssd == true'], preferences: [{ spreadDescriptor: 'node.labels.zone' }], platforms: [], maxReplicas: 2, strategy: 'SPREAD',
    });
    expect(s.update).toEqual({ parallelism: 2, delayMs: 10_000, failureAction: 'ROLLBACK', monitorMs: 30_000, maxFailureRatio: 0.25, order: 'START_FIRST' });
    expect(s.rollback).toEqual({ parallelism: 0, delayMs: 0, failureAction: 'CONTINUE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' });
  });

  it('fills Docker’s daemon defaults when deploy says nothing', () => {
    const s = service(loadOk(web('')).stack, 'web');
    expect(s.mode).toEqual({ kind: 'REPLICATED', replicas: 1, totalCompletions: 0, maxConcurrent: 0 });
    expect(s.task?.restart).toEqual({ condition: 'ANY', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    expect(s.update).toEqual({ parallelism: 1, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' });
    expect(s.task?.resources).toEqual({});
    expect(s.task?.container?.stopGracePeriodMs).toBe(10_000);
  });

  it('global and job modes', () => {
    const text = 'services:\n  a: {image: x, deploy: {mode: global}}\n  b: {image: x, deploy: {mode: replicated-job, replicas: 4}}\n  c: {image: x, deploy: {mode: global-job}}\n';
    const { stack } = loadOk(text);
    expect(stack.services.map((s) => s.mode)).toEqual([
      { kind: 'GLOBAL', replicas: 0, totalCompletions: 0, maxConcurrent: 0 },
      { kind: 'REPLICATED_JOB', replicas: 0, totalCompletions: 4, maxConcurrent: 4 },
      { kind: 'GLOBAL_JOB', replicas: 0, totalCompletions: 0, maxConcurrent: 0 },
    ]);
    // Swarm refuses update configs for jobs.
    expect(stack.services.map((s) => [s.update !== undefined, s.rollback !== undefined])).toEqual([[true, true], [false, false], [false, false]]);
  });

  it('uses the ignored `restart:` key when there is no restart_policy, as docker/cli does', () => {
    const s = service(loadOk(web('    restart: on-failure:5\n')).stack, 'web');
    expect(s.task?.restart).toEqual({ condition: 'ON_FAILURE', delayMs: 5000, maxAttempts: 5, windowMs: 0 });
    expect(service(loadOk(web('    restart: "no"\n')).stack, 'web').task?.restart?.condition).toBe('NONE');
  });
});

describe('secrets and configs', () => {
  const text = web(
    '    secrets:\n      - db_pw\n      - source: api_key\n        target: api.key\n        uid: "100"\n        gid: "101"\n        mode: 0400\n'
    + '    configs:\n      - source: nginx_conf\n        target: /etc/nginx.conf\n      - site\n',
    'secrets:\n  db_pw: {file: ./secrets/db_pw.txt}\n  api_key: {environment: API_KEY, labels: {rotate: monthly}}\n'
    + 'configs:\n  nginx_conf: {file: /etc/shoal/nginx.conf}\n  site: {external: true}\n',
  );

  it('references get Docker’s file-target defaults and are sorted by name', () => {
    const c = service(loadOk(text, { env: { API_KEY: 'k' } }).stack, 'web').task?.container;
    expect(c?.secrets).toEqual([
      { secretId: '', secretName: 'shop_api_key', file: { name: 'api.key', uid: '100', gid: '101', mode: 0o400 } },
      { secretId: '', secretName: 'shop_db_pw', file: { name: 'db_pw', uid: '0', gid: '0', mode: 0o444 } },
    ]);
    expect(c?.configs).toEqual([
      { configId: '', configName: 'shop_nginx_conf', file: { name: '/etc/nginx.conf', uid: '0', gid: '0', mode: 0o444 } },
      { configId: '', configName: 'site', file: { name: 'site', uid: '0', gid: '0', mode: 0o444 } },
    ]);
  });

  it('declarations say where the data comes from; files are read only through the port', () => {
    const without = loadOk(text, { env: { API_KEY: 'k' } }).stack;
    expect(without.secrets.map((s) => [s.key, s.source, Buffer.from(s.spec.data).toString()])).toEqual([
      ['api_key', { kind: 'environment', variable: 'API_KEY' }, 'k'],
      ['db_pw', { kind: 'file', path: '/stack/secrets/db_pw.txt' }, ''],
    ]);
    expect(without.secrets[0]?.spec.annotations).toEqual({ name: 'shop_api_key', labels: { 'com.docker.stack.namespace': 'shop', rotate: 'monthly' } });
    const readFile = memoryFiles({ '/stack/secrets/db_pw.txt': 's3cret', '/etc/shoal/nginx.conf': 'events {}' });
    const withFiles = loadOk(text, { env: { API_KEY: 'k' }, readFile }).stack;
    expect(Buffer.from(withFiles.secrets[1]?.spec.data ?? []).toString()).toBe('s3cret');
    expect(withFiles.configs.map((c) => [c.key, Buffer.from(c.spec.data).toString(), c.source.kind])).toEqual([['nginx_conf', 'events {}', 'file'], ['site', '', 'external']]);
  });
});

describe('depends_on', () => {
  it('short and long forms, scoped to the stack', () => {
    const text = 'services:\n  web:\n    image: a\n    depends_on: [db]\n  worker:\n    image: a\n    depends_on:\n      db: {condition: service_healthy}\n      migrate: {condition: service_completed_successfully}\n  db: {image: a}\n  migrate: {image: a, deploy: {mode: replicated-job}}\n';
    const { stack } = loadOk(text);
    expect(service(stack, 'web').dependsOn).toEqual([{ service: 'shop_db', condition: 'SERVICE_STARTED' }]);
    expect(service(stack, 'worker').dependsOn).toEqual([
      { service: 'shop_db', condition: 'SERVICE_HEALTHY' },
      { service: 'shop_migrate', condition: 'SERVICE_COMPLETED_SUCCESSFULLY' },
    ]);
  });
});

describe('warnings', () => {
  it('lists ignored options once, in Docker’s words', () => {
    const text = 'services:\n  web:\n    image: a\n    build: .\n    privileged: true\n    container_name: w\n  db:\n    image: a\n    privileged: true\n    links: [web]\n    expose: ["5432"]\n';
    expect(loadOk(text).warnings).toEqual([
      'Ignoring unsupported options: build, links, privileged',
      "Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\nexpose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ]);
  });

  it('names unset variables once', () => {
    const { warnings, stack } = loadOk(web('    hostname: ${NODE_HOST}\n    user: ${NODE_HOST}\n'));
    expect(warnings).toEqual(['The "NODE_HOST" variable is not set. Defaulting to a blank string.']);
    expect(service(stack, 'web').task?.container?.hostname).toBe('');
  });
});

describe('interpolation sources', () => {
  const text = web('    hostname: ${HOST_NAME}\n    deploy:\n      replicas: ${REPLICAS:-1}\n');

  it('reads .env beside the first file; the environment wins', () => {
    const readFile = memoryFiles({ '/stack/.env': 'HOST_NAME=from-dotenv\nREPLICAS=4\n' });
    const fromFile = service(loadOk(text, { readFile }).stack, 'web');
    expect(fromFile.task?.container?.hostname).toBe('from-dotenv');
    expect(fromFile.mode?.replicas).toBe(4);
    const shell = service(loadOk(text, { readFile, env: { HOST_NAME: 'from-shell' } }).stack, 'web');
    expect(shell.task?.container?.hostname).toBe('from-shell');
  });

  it('does not interpolate x- extension blocks at the top level', () => {
    expect(loadOk('x-doc: "costs $5"\nservices: {}\n').stack.services).toEqual([]);
  });

  it('casts interpolated numbers and booleans', () => {
    const s = service(loadOk(web('    init: ${INIT}\n    secrets: [{source: k, mode: "${MODE}"}]\n', 'secrets:\n  k: {external: true}\n'), { env: { INIT: 'yes', MODE: '0440' } }).stack, 'web');
    expect(s.task?.container?.init).toBe(true);
    expect(s.task?.container?.secrets[0]?.file?.mode).toBe(0o440);
  });
});

describe('keys the Compose Specification allows but specs cannot carry', () => {
  it('join the unsupported-options warning, nested ones dotted', () => {
    const text = 'services:\n  web:\n    image: a\n    platform: linux/amd64\n    stdin_open: true\n    healthcheck:\n      test: ["CMD", "true"]\n      start_interval: 1s\n    deploy:\n      resources:\n        limits: {pids: 100}\n';
    expect(loadOk(text).warnings).toEqual(['Ignoring unsupported options: deploy.resources.limits.pids, healthcheck.start_interval, platform, stdin_open']);
  });
});

describe('file-level details', () => {
  it('accepts version 3, 3.x and no version; x- keys anywhere are ignored', () => {
    for (const version of ['version: "3"\n', 'version: "3.8"\n', '']) {
      const { stack } = loadOk(`${version}x-top: {a: 1}\nservices:\n  web:\n    image: a\n    x-note: hello $$ world\n`);
      expect(stack.services).toHaveLength(1);
    }
  });

  it('a redefined default network keeps the default name and takes the settings', () => {
    const { stack } = loadOk(web('', 'networks:\n  default:\n    attachable: true\n    labels: [purpose=demo]\n'));
    expect(stack.networks.map((n) => [n.spec.annotations?.name, n.spec.attachable, n.spec.annotations?.labels.purpose])).toEqual([['shop_default', true, 'demo']]);
  });

  it('an external default network is used by name and not created', () => {
    const { stack } = loadOk(web('', 'networks:\n  default:\n    external: true\n    name: corp\n'));
    expect(stack.networks.map((n) => [n.key, n.spec.annotations?.name, n.external])).toEqual([['default', 'corp', true]]);
    expect(service(stack, 'web').task?.networks).toEqual([{ target: 'corp', aliases: ['web'] }]);
  });
});
