// Every error message loading can produce, as the CLI prints it.
import { describe, expect, it } from 'vitest';
import { loadStack } from './load.js';
import { loadErrors, memoryFiles } from './load.test-support.js';

describe('schema errors name file, line and path', () => {
  it('wrong type', () => {
    const text = 'services:\n  web:\n    image: shoal-test/busybox\n    deploy:\n      replicas: three\n';
    expect(loadErrors(text)).toEqual(['/stack/docker-compose.yml:5 services.web.deploy.replicas: expected integer, got "three"']);
  });

  it('unknown key, at the key’s line', () => {
    const text = 'services:\n  web:\n    image: a\n    imagee: b\n';
    expect(loadErrors(text)).toEqual(['/stack/docker-compose.yml:4 services.web.imagee: unknown key (not in the Compose specification)']);
  });

  it('unknown top-level key', () => {
    expect(loadErrors('servces:\n  web: {image: a}\n')).toEqual(['/stack/docker-compose.yml:1 servces: unknown key (not in the Compose specification)']);
  });

  it('a bad service name', () => {
    expect(loadErrors('services:\n  "web app": {image: a}\n')).toEqual([`/stack/docker-compose.yml:2 services.web app: invalid name "web app": use letters, digits, '.', '_' and '-'`]);
  });

  it('a long-form port without target', () => {
    expect(loadErrors('services:\n  web:\n    image: a\n    ports: [{published: 80}]\n')).toEqual(['/stack/docker-compose.yml:4 services.web.ports.0: missing target: the container port to publish']);
  });

  it('alternatives are summarised in one line', () => {
    expect(loadErrors('services:\n  web:\n    image: a\n    command: 3\n')).toEqual(['/stack/docker-compose.yml:4 services.web.command: expected string or array, got 3']);
  });

  it('a bad key inside the long port form is reported, not the short form', () => {
    const text = 'services:\n  web:\n    image: a\n    ports:\n      - target: 80\n        publsihed: 8080\n';
    expect(loadErrors(text)).toEqual(['/stack/docker-compose.yml:6 services.web.ports.0.publsihed: unknown key (not in the Compose specification)']);
  });

  it('enum', () => {
    const text = 'services:\n  web:\n    image: a\n    deploy:\n      update_config:\n        order: sideways\n';
    expect(loadErrors(text)).toEqual(['/stack/docker-compose.yml:6 services.web.deploy.update_config.order: expected one of "start-first", "stop-first", got "sideways"']);
  });

  it('collects every error of every file; nothing is returned', () => {
    const r = loadStack({
      stackName: 's',
      env: {},
      files: [
        { path: 'a.yml', text: 'services:\n  web:\n    image: a\n    tty: maybe\n' },
        { path: 'b.yml', text: 'services:\n  web:\n    init: 1\n' },
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => `${e.file}:${e.line} ${e.path}`)).toEqual(['a.yml:4 services.web.tty', 'b.yml:3 services.web.init']);
  });
});

describe('YAML and file-level errors', () => {
  it('syntax error', () => {
    expect(loadErrors('services:\n  web:\n    image: [a\n')[0]).toMatch(/^\/stack\/docker-compose\.yml:\d+: yaml: /);
  });

  it('top level must be a mapping', () => {
    expect(loadErrors('- a\n- b\n')).toEqual(['/stack/docker-compose.yml:1: top-level object must be a mapping']);
  });

  it('version 2 files are refused', () => {
    expect(loadErrors('version: "2.4"\nservices: {}\n')).toEqual([
      '/stack/docker-compose.yml:1 version: unsupported Compose file version: 2.4 (stack deploy reads version 3.x and the Compose Specification)',
    ]);
  });

  it('no files, bad stack name', () => {
    const none = loadStack({ stackName: 's', files: [], env: {} });
    expect(none.ok === false && none.errors[0]?.message).toBe('specify a Compose file (with --compose-file)');
    const bad = loadStack({ stackName: 'my stack', files: [{ path: 'a.yml', text: 'services: {}' }], env: {} });
    expect(bad.ok === false && bad.errors[0]?.message).toMatch(/^invalid stack name "my stack"/);
  });

  it('.env errors name the .env line', () => {
    const readFile = memoryFiles({ '/stack/.env': 'A=1\nB C=2\n' });
    expect(loadErrors('services: {}\n', { readFile })).toEqual(['/stack/.env:2: invalid variable name "B C"']);
  });
});

describe('interpolation errors', () => {
  it('required variable', () => {
    const text = 'services:\n  web:\n    image: ${IMAGE:?set IMAGE to the image to run}\n';
    expect(loadErrors(text)).toEqual(['/stack/docker-compose.yml:3 services.web.image: error while interpolating: required variable IMAGE is missing a value: set IMAGE to the image to run']);
  });

  it('invalid template', () => {
    expect(loadErrors('services:\n  web:\n    image: a\n    command: echo $ 5\n')).toEqual([
      '/stack/docker-compose.yml:4 services.web.command: invalid interpolation format: "echo $ 5". You may need to escape any $ with another $',
    ]);
  });

  it('a cast that fails', () => {
    const text = 'services:\n  web:\n    image: a\n    deploy:\n      replicas: ${N}\n';
    expect(loadErrors(text, { env: { N: 'many' } })).toEqual(['/stack/docker-compose.yml:5 services.web.deploy.replicas: failed to cast to expected type: invalid integer: "many"']);
  });
});

describe('conversion errors', () => {
  const cases: [string, string, string][] = [
    ['forbidden key', 'services:\n  web:\n    image: a\n    volumes_from: [b]\n',
      '/stack/docker-compose.yml:4 services.web.volumes_from: not supported by stack deploy: To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.'],
    ['missing image', 'services:\n  web:\n    command: x\n', '/stack/docker-compose.yml:2 services.web: invalid image reference for service web: no image specified'],
    ['bad image', 'services:\n  web:\n    image: Shoal/Web\n', '/stack/docker-compose.yml:3 services.web.image: invalid image reference for service web: invalid reference format: repository name (Shoal/Web) must be lowercase'],
    ['undefined network', 'services:\n  web:\n    image: a\n    networks: [front]\n', '/stack/docker-compose.yml:4 services.web.networks.front: undefined network "front": declare it under the top-level networks key'],
    ['undefined secret', 'services:\n  web:\n    image: a\n    secrets: [pw]\n', '/stack/docker-compose.yml:4 services.web.secrets.0: undefined secret "pw": declare it under the top-level secrets key'],
    ['undefined config', 'services:\n  web:\n    image: a\n    configs:\n      - source: conf\n', '/stack/docker-compose.yml:5 services.web.configs.0: undefined config "conf": declare it under the top-level configs key'],
    ['undefined volume', 'services:\n  web:\n    image: a\n    volumes: ["data:/data"]\n', '/stack/docker-compose.yml:4 services.web.volumes.0: undefined volume "data": declare it under the top-level volumes key'],
    ['bad duration', 'services:\n  web:\n    image: a\n    stop_grace_period: 10\n', ''],
    ['bad go duration', 'services:\n  web:\n    image: a\n    stop_grace_period: 10 seconds\n', '/stack/docker-compose.yml:4 services.web.stop_grace_period: invalid duration "10 seconds" (use Go syntax such as 1m30s, 500ms)'],
    ['bad memory', 'services:\n  web:\n    image: a\n    deploy:\n      resources:\n        limits:\n          memory: lots\n', '/stack/docker-compose.yml:7 services.web.deploy.resources.limits.memory: invalid size: "lots"'],
    ['bad cpus', 'services:\n  web:\n    image: a\n    deploy:\n      resources:\n        reservations:\n          cpus: "0.0000000001"\n', '/stack/docker-compose.yml:7 services.web.deploy.resources.reservations.cpus: value is too precise'],
    ['replicas with global', 'services:\n  web:\n    image: a\n    deploy:\n      mode: global\n      replicas: 2\n', '/stack/docker-compose.yml:6 services.web.deploy.replicas: replicas can only be used with replicated or replicated-job mode'],
    ['unknown mode', 'services:\n  web:\n    image: a\n    deploy:\n      mode: everywhere\n', '/stack/docker-compose.yml:5 services.web.deploy.mode: unknown mode: everywhere (use replicated, global, replicated-job or global-job)'],
    ['bad restart condition', 'services:\n  web:\n    image: a\n    deploy:\n      restart_policy:\n        condition: sometimes\n', '/stack/docker-compose.yml:6 services.web.deploy.restart_policy.condition: invalid restart condition "sometimes": use none, on-failure or any'],
    ['bad restart key', 'services:\n  web:\n    image: a\n    restart: maybe\n', "/stack/docker-compose.yml:4 services.web.restart: invalid restart policy: unknown policy 'maybe' (must be one of 'no', 'always', 'on-failure', or 'unless-stopped')"],
    ['rollback cannot roll back', 'services:\n  web:\n    image: a\n    deploy:\n      rollback_config:\n        failure_action: rollback\n', '/stack/docker-compose.yml:6 services.web.deploy.rollback_config.failure_action: invalid failure action "rollback": use pause or continue'],
    ['service name not a DNS label', 'services:\n  web.v2:\n    image: a\n', '/stack/docker-compose.yml:2 services.web.v2: service name shop_web.v2 is not valid as a DNS name component (letters, digits, "-" and "_", at most 63 characters)'],
    ['update_config on a job', 'services:\n  web:\n    image: a\n    deploy:\n      mode: replicated-job\n      update_config: {parallelism: 2}\n', '/stack/docker-compose.yml:6 services.web.deploy.update_config: update_config cannot be used with jobs (mode replicated-job or global-job)'],
    ['bad endpoint mode', 'services:\n  web:\n    image: a\n    deploy:\n      endpoint_mode: round-robin\n', '/stack/docker-compose.yml:5 services.web.deploy.endpoint_mode: invalid endpoint mode "round-robin": use vip or dnsrr'],
    ['bad port', 'services:\n  web:\n    image: a\n    ports: ["80:eighty"]\n', '/stack/docker-compose.yml:4 services.web.ports.0: invalid port specification "80:eighty": use [[IP:]PUBLISHED:]TARGET[/PROTOCOL]'],
    ['bad protocol', 'services:\n  web:\n    image: a\n    ports: ["80:80/icmp"]\n', '/stack/docker-compose.yml:4 services.web.ports.0: invalid protocol "icmp" in port "80:80/icmp": use tcp, udp or sctp'],
    ['port ranges of different sizes', 'services:\n  web:\n    image: a\n    ports: ["8000-8002:80-81"]\n', '/stack/docker-compose.yml:4 services.web.ports.0: invalid port range "8000-8002:80-81": published and target ranges differ in size'],
    ['bind without source', 'services:\n  web:\n    image: a\n    volumes:\n      - type: bind\n        target: /x\n', '/stack/docker-compose.yml:5 services.web.volumes.0: invalid bind source, source cannot be empty'],
    ['tmpfs with source', 'services:\n  web:\n    image: a\n    volumes:\n      - type: tmpfs\n        source: x\n        target: /x\n', '/stack/docker-compose.yml:6 services.web.volumes.0.source: invalid tmpfs source, source must be empty'],
    ['relative target', 'services:\n  web:\n    image: a\n    volumes: ["./a:b"]\n', '/stack/docker-compose.yml:4 services.web.volumes.0: invalid volume specification "./a:b": the target must be an absolute path'],
    ['healthcheck test and disable', 'services:\n  web:\n    image: a\n    healthcheck:\n      test: ["CMD", "true"]\n      disable: true\n', "/stack/docker-compose.yml:6 services.web.healthcheck.disable: test and disable can't be set at the same time"],
    ['unterminated quote in command', 'services:\n  web:\n    image: a\n    command: echo "hi\n', '/stack/docker-compose.yml:4 services.web.command: unterminated double quote in "echo \\"hi"'],
    ['depends on unknown service', 'services:\n  web:\n    image: a\n    depends_on: [db]\n', '/stack/docker-compose.yml:4 services.web.depends_on.db: depends on undefined service "db"'],
    ['depends_on condition', 'services:\n  web:\n    image: a\n    depends_on:\n      db:\n        condition: service_ready\n  db:\n    image: a\n', '/stack/docker-compose.yml:6 services.web.depends_on.db.condition: expected one of "service_started", "service_healthy", "service_completed_successfully", got "service_ready"'],
    ['depends_on cycle', 'services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: a\n    depends_on: [a]\n', '/stack/docker-compose.yml:1 services: depends_on forms a cycle: shop_a -> shop_b -> shop_a'],
    ['secret without source', 'services: {}\nsecrets:\n  pw:\n    labels: [a=b]\n', '/stack/docker-compose.yml:3 secrets.pw: secret pw: set file, environment or external: true'],
    ['secret variable unset', 'services: {}\nsecrets:\n  pw:\n    environment: PW\n', ''],
  ];

  it.each(cases.filter((c) => c[2] !== ''))('%s', (_name, text, message) => {
    expect(loadErrors(text)).toEqual([message]);
  });

  it('a duration must be a string with a unit (schema)', () => {
    expect(loadErrors('services:\n  web:\n    image: a\n    stop_grace_period: 10\n')).toEqual(['/stack/docker-compose.yml:4 services.web.stop_grace_period: expected string, got 10']);
  });

  it('a missing secret file is reported when files are read', () => {
    const text = 'services: {}\nsecrets:\n  pw:\n    file: ./pw.txt\n';
    expect(loadErrors(text, { readFile: memoryFiles({}) })).toEqual(['/stack/docker-compose.yml:4 secrets.pw.file: secret file /stack/pw.txt does not exist']);
  });

  it('env_file needs a file reader, and must exist', () => {
    const text = 'services:\n  web:\n    image: a\n    env_file: web.env\n';
    expect(loadErrors(text)).toEqual(['/stack/docker-compose.yml:4 services.web.env_file: cannot read env_file /stack/web.env: no file reader given']);
    expect(loadErrors(text, { readFile: memoryFiles({}) })).toEqual(['/stack/docker-compose.yml:4 services.web.env_file: env_file /stack/web.env does not exist']);
    expect(loadErrors(text, { readFile: memoryFiles({ '/stack/web.env': 'BAD KEY=1' }) })).toEqual([
      "/stack/docker-compose.yml:4 services.web.env_file: /stack/web.env:1: variable 'BAD KEY' contains whitespaces",
    ]);
  });
});

describe('external objects', () => {
  it('refuse settings that would create them', () => {
    const text = 'services: {}\nnetworks:\n  corp:\n    external: true\n    driver: overlay\nvolumes:\n  data:\n    external: true\n    name: shared-data\n    driver_opts: {type: nfs}\n';
    expect(loadErrors(text)).toEqual([
      '/stack/docker-compose.yml:5 networks.corp.driver: conflicting parameters "external" and "driver" specified for network "corp"',
      '/stack/docker-compose.yml:10 volumes.data.driver_opts: conflicting parameters "external" and "driver_opts" specified for volume "data"',
    ]);
  });
});

describe('display names', () => {
  it('messages name the file as the user typed it', () => {
    const r = loadStack({ stackName: 's', env: {}, files: [{ path: '/home/me/app/docker-compose.yml', displayName: 'docker-compose.yml', text: 'services:\n  web:\n    image: a\n    tty: maybe\n' }] });
    expect(r.ok === false && r.errors.map((e) => `${e.file}:${e.line}`)).toEqual(['docker-compose.yml:4']);
  });
});
