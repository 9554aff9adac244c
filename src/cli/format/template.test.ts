import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { formatInspect } from './inspect-format.js';
import { serviceInspectJson } from './inspect-service.js';
import { formatNodeList } from './node-list.js';
import { formatServiceList } from './service-list.js';
import { listFormat } from './table.js';
import { formatTaskList } from './task-list.js';
import { parseGoTemplate, show } from './template.js';
import { managerNode, NOW_MS, task, webService, workerNode } from './fixtures.test-support.js';

const run = (template: string, data: unknown): string => parseGoTemplate(template).execute(data);

describe('Go templates', () => {
  const data = { Name: 'web', N: 3, On: true, Off: false, List: ['a', 'b'], Labels: { b: '2', a: '1' }, Nested: { Deep: { X: 'x' } }, Empty: [], Nil: null };
  it('prints fields as Go\'s %v', () => {
    expect(run('{{.Name}} {{.N}} {{.On}} {{.List}} {{.Labels}} {{.Nested.Deep.X}} {{.Missing}} {{.Nil}} {{.Nested.Deep.X.Y}}', data)).toBe('web 3 true [a b] map[a:1 b:2] x <no value> <nil> <no value>');
  });
  it('has Docker\'s functions', () => {
    expect(run('{{json .Labels}}|{{json .Name}}|{{join .List ","}}|{{upper .Name}}|{{lower "AB"}}|{{title "hello world"}}', data)).toBe('{"b":"2","a":"1"}|"web"|a,b|WEB|ab|Hello World');
    expect(run('{{index .Labels "a"}}|{{len .List}}|{{pad .Name 1 2}}|{{truncate .Name 2}}|{{split "a:b" ":"}}', data)).toBe('1|2| web  |we|[a b]');
    expect(run('{{.Name | upper}}|{{.List | len}}', data)).toBe('WEB|2');
  });
  it('has if, else if, else and range', () => {
    expect(run('{{if .On}}yes{{else}}no{{end}} {{if .Off}}yes{{else if .Empty}}empty{{else}}neither{{end}}', data)).toBe('yes neither');
    expect(run('{{range .List}}<{{.}}>{{end}}', data)).toBe('<a><b>');
    expect(run('{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}', data)).toBe('a=1;b=2;');
    expect(run('{{range $i, $v := .List}}{{$i}}:{{$v}} {{end}}', data)).toBe('0:a 1:b ');
    expect(run('{{range .Empty}}x{{else}}none{{end}}', data)).toBe('none');
    expect(run('{{range .List}}{{$.Name}}{{end}}', data)).toBe('webweb');
  });
  it('trims around {{- and -}}', () => {
    expect(run('a  {{- .Name -}}  b\n{{/* note */}}c', data)).toBe('awebb\nc');
  });
  it('reports template errors as usage errors', () => {
    for (const [template, why] of [
      ['{{.Name', 'unclosed action'],
      ['{{if .On}}x', 'unexpected EOF'],
      ['{{end}}', 'unexpected {{end}}'],
      ['{{nope .Name}}', 'function "nope" not defined'],
      ['{{with .Name}}{{end}}', '{{with}} is not supported by shoal'],
      ['{{$x}}', 'undefined variable "$x"'],
    ]) {
      let error: unknown;
      try {
        parseGoTemplate(template ?? '').execute(data);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(125);
      expect((error as CliError).message).toBe(`template parsing error: ${why} in ${JSON.stringify(template)}`);
    }
  });
  it('shows maps sorted and nested arrays', () => expect(show({ z: [1, [2]], a: null })).toBe('map[a:<nil> z:[1 [2]]]'));
});

describe('custom list formats', () => {
  const statuses = { kq9m3s5c1y2ddx0ufhmh2bjj5: { runningTasks: 3, desiredTasks: 3, completedTasks: 0 } };
  it('prints plain templates per row', () => {
    expect(formatServiceList([webService()], statuses, listFormat({ format: '{{.Name}}: {{.Replicas}}' }))).toEqual(['web: 3/3']);
    expect(formatNodeList([managerNode(), workerNode('w', 'host2')], 'w', listFormat({ format: '{{.Hostname}}\\t{{if .Self}}me{{end}}' }))).toEqual(['host1\t', 'host2\tme']);
  });
  it('prints table templates with Docker\'s headers and alignment', () => {
    expect(formatServiceList([webService()], statuses, listFormat({ format: 'table {{.Name}}\\t{{.Replicas}}\\t{{.Ports}}' }))).toEqual(['NAME      REPLICAS   PORTS', 'web       3/3        *:8080->80/tcp']);
    const tasks = [task('t1', 1, 'n1', 'RUNNING', 'RUNNING', 1000), task('t0', 1, 'n1', 'FAILED', 'SHUTDOWN', 9000)];
    expect(formatTaskList(tasks, { format: listFormat({ format: 'table {{.Name}}\\t{{.DesiredState}}' }), nowMs: NOW_MS })).toEqual(['NAME        DESIRED STATE', 'web.1       Running', ' \\_ web.1   Shutdown']);
    expect(formatTaskList(tasks, { format: listFormat({ format: '{{.Name}}' }), nowMs: NOW_MS })).toEqual(['web.1', 'web.1']);
  });
});

describe('inspect --format', () => {
  const objects = [serviceInspectJson(webService())];
  it('prints the indented array by default and compact JSON with json', () => {
    expect(formatInspect(objects)[0]).toBe('[');
    expect(formatInspect([{ A: 1 }], 'json')).toEqual(['[{"A":1}]']);
    expect(formatInspect([], '')).toEqual(['[]']);
  });
  it('runs a template per object', () => {
    expect(formatInspect(objects, '{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}} {{json .Endpoint.Ports}}')).toEqual(['web 3 [{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"}]']);
    expect(formatInspect([...objects, ...objects], '{{.ID}}')).toEqual(['kq9m3s5c1y2ddx0ufhmh2bjj5', 'kq9m3s5c1y2ddx0ufhmh2bjj5']);
  });
});
