import { describe, expect, it } from 'vitest';
import { bytesFlag, nanoCpusFlag, parseRamBytes } from './bytes.js';
import { parseConstraint, parseDns, parseGenericResource, parseHost, parseNetwork, parsePlacementPref, parseUlimit, shellWords } from './container-opts.js';
import { durationFlagMs, formatGoDuration, parseGoDurationMs } from './duration.js';
import { parseFileRef } from './file-ref.js';
import { envValue, kvToMap, mergeEnv, parseEnvFile } from './kv.js';
import { parseMount } from './mount.js';
import { generateName } from '../../common/generated-names.js';
import { ratioFlag, uintFlag } from './numbers.js';
import { parsePublish } from './port.js';
import { usageError } from './usage-error.test-support.js';

const usage = usageError;

describe('Go durations', () => {
  it.each([
    ['10s', 10_000], ['500ms', 500], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5h', 5_400_000], ['0', 0], ['2h45m', 9_900_000], ['1500us', 2], ['100ns', 0], ['.5s', 500],
  ])('%s is %d ms', (text, ms) => expect(parseGoDurationMs(text)).toBe(ms));
  it.each(['', '10', 'abc', '1x', 's', '1m30', '--1s'])('%s is not a duration', (text) => expect(parseGoDurationMs(text)).toBeUndefined());
  it('names the flag and the fix', () => {
    expect(usage(() => durationFlagMs('restart-delay', 'soon'))).toBe('invalid argument "soon" for "--restart-delay" flag: not a duration; use a number with a unit, e.g. "500ms", "10s", "1m30s", "2h"');
    expect(usage(() => durationFlagMs('update-delay', '-5s'))).toBe('invalid argument "-5s" for "--update-delay" flag: duration cannot be negative');
  });
  it.each([[0, '0s'], [5000, '5s'], [90_000, '1m30s'], [3_600_000, '1h0m0s'], [500, '500ms'], [1500, '1.5s'], [3_723_000, '1h2m3s']])('formats %d ms as %s', (ms, text) => expect(formatGoDuration(ms)).toBe(text));
});

describe('sizes and CPUs', () => {
  it.each([
    ['512m', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['512MiB', 512 * 1024 ** 2], ['1.5GB', 1.5 * 1024 ** 3], ['100', 100], ['100b', 100], ['1k', 1024], ['2 MB', 2 * 1024 ** 2],
  ])('%s is %d bytes', (text, bytes) => expect(parseRamBytes(text)).toBe(bytes));
  it.each(['', 'm', '1x', '1mb2', '1gibb', '-1m', '1mx'])('%s is not a size', (text) => expect(parseRamBytes(text)).toBeUndefined());
  it('explains a bad size', () => {
    expect(usage(() => bytesFlag('limit-memory', 'lots'))).toBe('invalid argument "lots" for "--limit-memory" flag: not a size; use a number with an optional unit b, k, m, g, t (e.g. "512m", "1g", "1.5GiB")');
  });
  it('turns CPU decimals into nano-CPUs', () => {
    expect(nanoCpusFlag('limit-cpu', '0.5')).toBe(500_000_000);
    expect(nanoCpusFlag('limit-cpu', '2')).toBe(2_000_000_000);
    expect(nanoCpusFlag('limit-cpu', '.25')).toBe(250_000_000);
    expect(usage(() => nanoCpusFlag('reserve-cpu', 'two'))).toBe('invalid argument "two" for "--reserve-cpu" flag: not a number of CPUs; use a decimal such as "0.5" or "2"');
    expect(usage(() => nanoCpusFlag('reserve-cpu', '0.0000000001'))).toBe('invalid argument "0.0000000001" for "--reserve-cpu" flag: value is too precise; use at most 9 decimals');
  });
  it('checks whole numbers and ratios', () => {
    expect(uintFlag('replicas', '3')).toBe(3);
    expect(usage(() => uintFlag('replicas', '-1'))).toBe('invalid argument "-1" for "--replicas" flag: must be a whole number >= 0 (e.g. 3)');
    expect(usage(() => uintFlag('replicas', '1.5'))).toBe('invalid argument "1.5" for "--replicas" flag: must be a whole number >= 0 (e.g. 3)');
    expect(ratioFlag('update-max-failure-ratio', '0.25')).toBe(0.25);
    expect(usage(() => ratioFlag('update-max-failure-ratio', '2'))).toBe('invalid argument "2" for "--update-max-failure-ratio" flag: must be between 0 and 1 (e.g. 0.2)');
    expect(usage(() => ratioFlag('update-max-failure-ratio', 'x'))).toBe('invalid argument "x" for "--update-max-failure-ratio" flag: must be a number between 0 and 1 (e.g. 0.2)');
  });
});

describe('--publish', () => {
  const port = (targetPort: number, publishedPort: number, protocol = 'TCP', publishMode = 'INGRESS') => ({ name: '', targetPort, publishedPort, protocol, publishMode, preserveSourceIp: false });
  it('reads the short form', () => {
    expect(parsePublish('publish', '8080:80')).toEqual([port(80, 8080)]);
    expect(parsePublish('publish', '8080:80/udp')).toEqual([port(80, 8080, 'UDP')]);
    expect(parsePublish('publish', '80')).toEqual([port(80, 0)]);
    expect(parsePublish('publish', '53/sctp')).toEqual([port(53, 0, 'SCTP')]);
    expect(parsePublish('publish', '8080-8081:80-81')).toEqual([port(80, 8080), port(81, 8081)]);
    expect(parsePublish('publish', '8080-8081:80')).toEqual([port(80, 8080), port(80, 8081)]);
    expect(parsePublish('publish', '80-81')).toEqual([port(80, 0), port(81, 0)]);
  });
  it('reads the long form', () => {
    expect(parsePublish('publish', 'published=8080,target=80,protocol=udp,mode=host')).toEqual([port(80, 8080, 'UDP', 'HOST')]);
    expect(parsePublish('publish', 'target=80')).toEqual([port(80, 0)]);
    expect(parsePublish('publish', 'TARGET=80,Mode=Ingress')).toEqual([port(80, 0)]);
    expect(parsePublish('publish', 'published=8080,target=80,source-ip=preserve')).toEqual([{ ...port(80, 8080), preserveSourceIp: true }]);
  });
  it.each([
    ['8080:80/icmp', 'invalid proto: icmp; use tcp, udp or sctp'],
    ['127.0.0.1:8080:80', 'hostip is not supported; use [PUBLISHED:]TARGET[/PROTO]'],
    ['http', 'invalid target port (http): value must be an integer between 1 and 65535'],
    ['8080:70000', 'invalid target port (70000): value must be an integer between 1 and 65535'],
    ['x:80', 'invalid published port (x): value must be an integer between 1 and 65535'],
    ['8080-8082:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 8080-8082; both ranges must be the same size'],
    ['published=8080', "missing mandatory field 'target'"],
    ['target=80,protocol=icmp', `invalid protocol value 'icmp': must be "tcp", "udp" or "sctp"`],
    ['target=80,mode=bridge', "invalid publish mode value (bridge): must be either 'ingress' or 'host'"],
    ['target=80,color=red', 'invalid field key: color; use published, target, protocol, mode or source-ip'],
    ['target=80,source-ip=keep', "invalid source-ip value (keep): must be either 'preserve' or 'nat'"],
    ['target=80,oops', 'invalid field: oops; use key=value pairs (published, target, protocol, mode)'],
    ['target=abc', 'invalid target port (abc): value must be an integer between 1 and 65535'],
    ['81-80', 'invalid target port range (81-80): end before start'],
  ])('refuses %s', (value, why) => {
    expect(usage(() => parsePublish('publish', value))).toBe(`invalid argument ${JSON.stringify(value)} for "--publish" flag: ${why}`);
  });
});

describe('--mount', () => {
  it('reads bind, volume and tmpfs mounts', () => {
    expect(parseMount('mount', 'type=bind,source=/srv,target=/data,readonly')).toEqual({ type: 'BIND', source: '/srv', target: '/data', readOnly: true, tmpfsSizeBytes: 0, tmpfsMode: 0 });
    expect(parseMount('mount', 'source=vol,target=/data')).toEqual({ type: 'VOLUME', source: 'vol', target: '/data', readOnly: false, tmpfsSizeBytes: 0, tmpfsMode: 0 });
    expect(parseMount('mount', 'type=tmpfs,dst=/tmp,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({ type: 'TMPFS', source: '', target: '/tmp', readOnly: false, tmpfsSizeBytes: 64 * 1024 ** 2, tmpfsMode: 0o1770 });
    expect(parseMount('mount', 'type=volume,src=v,target=/d,ro=false').readOnly).toBe(false);
    expect(parseMount('mount', 'type=volume,src=v,target=/d,readonly=1').readOnly).toBe(true);
  });
  it.each([
    ['', 'value is empty; use type=bind|volume|tmpfs,source=...,target=...'],
    ['type=bind,source=/a', 'target is required; add target=/path/in/container'],
    ['type=bind,target=/a', 'source is required for bind mounts; add source=/path/on/host'],
    ['type=bind,source=./a,target=/a', 'bind source path must be absolute: ./a'],
    ['type=nfs,target=/a', "invalid mount type 'nfs': use bind, volume or tmpfs"],
    ['type=volume,target=/a,tmpfs-size=1m', "cannot mix 'tmpfs-*' options with mount type 'volume'"],
    ['type=tmpfs,target=/a,tmpfs-size=big', 'invalid value for tmpfs-size: big; use a size such as 64m'],
    ['type=tmpfs,target=/a,tmpfs-mode=999', 'invalid value for tmpfs-mode: 999; use octal permissions such as 1777'],
    ['type=tmpfs,source=x,target=/a', 'source must not be given for tmpfs mounts'],
    ['target=/a,readonly=maybe', `invalid value for 'readonly': invalid boolean value ("maybe"): must be one of "true", "1", "false", or "0" (default "true")`],
    ['target=/a,color=red', "unknown option 'color' in 'color=red'"],
    ['target=/a,src', "invalid field 'src' must be a key=value pair"],
    ['target=/a,source=', "invalid value for 'source': value is empty"],
    ['target=/a, source=x', "invalid option 'source' in ' source=x': option should not have whitespace"],
    ['target=/a,volume-driver=local', "mount option 'volume-driver' is not supported by shoal; remove it"],
    ['target=rel', 'target must be an absolute path: rel'],
  ])('refuses %j', (value, why) => {
    expect(usage(() => parseMount('mount', value))).toBe(`invalid argument ${JSON.stringify(value)} for "--mount" flag: ${why}`);
  });
});

describe('--secret and --config', () => {
  it('reads the short and long forms with Docker defaults', () => {
    expect(parseFileRef('secret', 'db_pass')).toEqual({ source: 'db_pass', target: 'db_pass', uid: '0', gid: '0', mode: 0o444 });
    expect(parseFileRef('secret', 'source=db_pass,target=/run/pw,uid=100,gid=101,mode=0400')).toEqual({ source: 'db_pass', target: '/run/pw', uid: '100', gid: '101', mode: 0o400 });
    expect(parseFileRef('config', 'src=app,mode=0x1ff').mode).toBe(0o777);
    expect(parseFileRef('config', 'src=app,mode=292').mode).toBe(0o444);
    expect(parseFileRef('config', 'src=app').target).toBe('app');
  });
  it.each([
    ['target=x', 'source is required; add source=NAME'],
    ['source=a,mode=rw', 'invalid mode specified: rw; use octal permissions such as 0440'],
    ['source=a,mode=0999', 'invalid mode specified: 0999; use octal permissions such as 0440'],
    ['source=a,owner=me', 'invalid field in secret request: owner; use source, target, uid, gid or mode'],
    ['source=a,b', "invalid field 'b' must be a key=value pair"],
    ['', 'empty name; use NAME or source=NAME,target=PATH'],
  ])('refuses %j', (value, why) => {
    expect(usage(() => parseFileRef('secret', value))).toBe(`invalid argument ${JSON.stringify(value)} for "--secret" flag: ${why}`);
  });
});

describe('environment and labels', () => {
  const environ = { HOME: '/root', EMPTY: '' };
  it('fills bare names from the client environment', () => {
    expect(envValue('env', 'A=1', environ)).toBe('A=1');
    expect(envValue('env', 'HOME', environ)).toBe('HOME=/root');
    expect(envValue('env', 'EMPTY', environ)).toBe('EMPTY=');
    expect(envValue('env', 'UNSET', environ)).toBe('UNSET');
    expect(usage(() => envValue('env', '=1', environ))).toBe('invalid argument "=1" for "--env" flag: invalid environment variable; use NAME=VALUE or NAME');
  });
  it('reads env files as Docker does', () => {
    const content = '# comment\n\nA=1\n  B=two words\nHOME\nUNSET\nC=\n';
    expect(parseEnvFile('app.env', content, environ)).toEqual(['A=1', 'B=two words', 'HOME=/root', 'C=']);
    expect(usage(() => parseEnvFile('app.env', 'A B=1', environ))).toBe("invalid env file app.env line 1: variable 'A B' contains whitespaces");
    expect(usage(() => parseEnvFile('app.env', 'X=1\n=1', environ))).toBe('invalid env file app.env line 2: no variable name before "="');
  });
  it('lets later entries win', () => {
    expect(mergeEnv(['A=1', 'B=2', 'A=3', 'B=2'])).toEqual(['B=2', 'A=3']);
  });
  it('turns labels into a map', () => {
    expect(kvToMap('label', ['a=1', 'b', 'c=x=y', 'a=2'])).toEqual({ a: '2', b: '', c: 'x=y' });
    expect(usage(() => kvToMap('label', ['=x']))).toBe('invalid argument "=x" for "--label" flag: empty name; use KEY=VALUE');
    expect(usage(() => kvToMap('label', ['my label=x']))).toBe(`invalid argument "my label=x" for "--label" flag: 'my label' contains whitespaces; names cannot contain spaces`);
  });
});

describe('container options', () => {
  it('reads --host, --dns, --ulimit', () => {
    expect(parseHost('host', 'db:10.0.0.5')).toBe('10.0.0.5 db');
    expect(parseHost('host', 'v6:::1')).toBe('::1 v6');
    expect(parseHost('host', 'v6:[fe80::1]')).toBe('fe80::1 v6');
    expect(parseHost('host', 'v6=::1')).toBe('::1 v6');
    expect(usage(() => parseHost('host', 'a:b=1.2.3.4'))).toBe('invalid argument "a:b=1.2.3.4" for "--host" flag: bad format for add-host; use HOST:IP (e.g. db:10.0.0.5)');
    expect(usage(() => parseHost('host', 'gw:host-gateway'))).toBe('invalid argument "gw:host-gateway" for "--host" flag: invalid IP address in add-host: "host-gateway"');
    expect(usage(() => parseHost('host', 'db'))).toBe('invalid argument "db" for "--host" flag: bad format for add-host; use HOST:IP (e.g. db:10.0.0.5)');
    expect(usage(() => parseHost('host', 'db:nowhere'))).toBe('invalid argument "db:nowhere" for "--host" flag: invalid IP address in add-host: "nowhere"');
    expect(parseDns('dns', '8.8.8.8')).toBe('8.8.8.8');
    expect(usage(() => parseDns('dns', 'dns.google'))).toBe('invalid argument "dns.google" for "--dns" flag: IP address is not correctly formatted: dns.google');
    expect(parseUlimit('ulimit', 'nofile=1024:2048')).toEqual({ name: 'nofile', soft: 1024, hard: 2048 });
    expect(parseUlimit('ulimit', 'nproc=64')).toEqual({ name: 'nproc', soft: 64, hard: 64 });
    expect(usage(() => parseUlimit('ulimit', 'nofile'))).toBe('invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument; use NAME=SOFT[:HARD] (e.g. nofile=1024:2048)');
    expect(usage(() => parseUlimit('ulimit', 'files=1'))).toMatch(/^invalid argument "files=1" for "--ulimit" flag: invalid ulimit type: files; use one of core, cpu, /);
    expect(usage(() => parseUlimit('ulimit', 'nofile=2048:1024'))).toBe('invalid argument "nofile=2048:1024" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 2048 > 1024');
    expect(usage(() => parseUlimit('ulimit', 'nofile=many'))).toBe('invalid argument "nofile=many" for "--ulimit" flag: invalid ulimit soft value many; use whole numbers');
  });
  it('reads generic resources, placement preferences, constraints and networks', () => {
    expect(parseGenericResource('generic-resource', 'gpu=2')).toEqual({ kind: 'gpu', value: 2 });
    expect(usage(() => parseGenericResource('generic-resource', 'gpu'))).toBe('invalid argument "gpu" for "--generic-resource" flag: invalid generic resource specification; use KIND=COUNT (e.g. gpu=2)');
    expect(usage(() => parseGenericResource('generic-resource', 'gpu=UUID1'))).toBe('invalid argument "gpu=UUID1" for "--generic-resource" flag: shoal supports only countable generic resources; use KIND=COUNT with a whole number');
    expect(parsePlacementPref('placement-pref', 'spread=node.labels.zone')).toEqual({ spreadDescriptor: 'node.labels.zone' });
    expect(usage(() => parsePlacementPref('placement-pref', 'node.labels.zone'))).toBe('invalid argument "node.labels.zone" for "--placement-pref" flag: placement preference must be of the format "<strategy>=<arg>" (e.g. spread=node.labels.zone)');
    expect(usage(() => parsePlacementPref('placement-pref', 'pack=x'))).toBe('invalid argument "pack=x" for "--placement-pref" flag: unsupported placement preference pack (only spread is supported)');
    expect(parseConstraint('constraint', 'node.role==manager')).toBe('node.role==manager');
    expect(usage(() => parseConstraint('constraint', ' '))).toBe('invalid argument " " for "--constraint" flag: empty constraint; use e.g. node.role==manager or node.labels.zone!=east');
    expect(parseNetwork('network', 'backend')).toEqual({ target: 'backend', aliases: [] });
    expect(parseNetwork('network', 'name=backend,alias=db,alias=pg')).toEqual({ target: 'backend', aliases: ['db', 'pg'] });
    expect(usage(() => parseNetwork('network', 'alias=db'))).toBe('invalid argument "alias=db" for "--network" flag: network name is required; add name=NETWORK');
    expect(usage(() => parseNetwork('network', 'name=a,driver-opt=x=y'))).toBe('invalid argument "name=a,driver-opt=x=y" for "--network" flag: network driver options are not supported by shoal; remove driver-opt');
    expect(usage(() => parseNetwork('network', 'name=a,mtu=1'))).toBe('invalid argument "name=a,mtu=1" for "--network" flag: invalid field key mtu; use name= and alias=');
  });
  it('splits shell words', () => {
    expect(shellWords('args', `sh -c 'echo "hi there"' a\\ b "x\\"y"`)).toEqual(['sh', '-c', 'echo "hi there"', 'a b', 'x"y']);
    expect(shellWords('args', '')).toEqual([]);
    expect(shellWords('args', `''`)).toEqual(['']);
    expect(usage(() => shellWords('entrypoint', `sh -c 'oops`))).toBe(`invalid argument "sh -c 'oops" for "--entrypoint" flag: unclosed quote; close the ' quote`);
  });
  it('generates adjective_surname names from the injected randomness', () => {
    expect(generateName(() => 0)).toBe('amber_agnesi');
    expect(generateName((n) => n - 1)).toBe('zen_wozniak');
    expect(generateName((n) => n - 1)).toMatch(/^[a-z]+_[a-z]+$/);
  });
});
