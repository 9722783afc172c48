// Reading one YAML file: duplicate keys, `${ENV}` paths, aliases and positions, including in
// files large enough that the library's own ways of doing these were quadratic.
import { describe, expect, it } from 'vitest';
import type { Problem } from './problems.js';
import { parseYamlFile, positionOf } from './yaml-file.js';

function read(text: string, env: NodeJS.ProcessEnv = {}) {
  const problems: Problem[] = [];
  const source = parseYamlFile('site.yaml', text, env, problems);
  return { source, problems: problems.map((p) => `${p.line}:${p.col}  ${p.path}  ${p.message}`) };
}

const DUPLICATE = '(yaml)  Map keys must be unique';
const keys = (count: number, indent = '') => Array.from({ length: count }, (_, i) => `${indent}k${i}: ${i}\n`).join('');

describe('duplicate keys', () => {
  it('reports a repeated key among 50,000 at its line and column', () => {
    const text = `settings:\n${keys(30_000, '  ')}  k123: again\n${keys(20_000, '  ').replaceAll('  k', '  j')}`;
    const { source, problems } = read(text);
    expect(problems).toEqual([`30002:3  ${DUPLICATE}`]);
    expect(source.value).toEqual({});
  });

  it('reports repeats in nested block and flow mappings, each at its key, in reading order', () => {
    const text = [
      'systems:', //                           1
      '  - id: a', //                          2
      '    modules:', //                       3
      '      - driver: display', //            4
      '        settings: { x: 1, y: 2, x: 3 }', // 5
      '        driver: http', //               6
      '  - id: b', //                          7
      '    id: c', //                          8
      '',
    ].join('\n');
    expect(read(text).problems).toEqual([`5:33  ${DUPLICATE}`, `6:9  ${DUPLICATE}`, `8:5  ${DUPLICATE}`]);
  });

  it('reports a flow mapping after the repeats inside its own values, as the library did', () => {
    expect(read('a: { x: 1, x: { y: 1, y: 2 } }\n').problems).toEqual([`1:23  ${DUPLICATE}`, `1:12  ${DUPLICATE}`]);
  });

  it('finds no repeat where the same key is in different mappings', () => {
    const text = [
      'zones:',
      '  - id: a',
      '    name: A',
      '  - id: b',
      '    name: B',
      'systems:',
      '  - id: s',
      '    modules:',
      '      - driver: http',
      '        settings: { id: 1, name: 2, settings: { id: 3, name: 4 } }',
      '',
    ].join('\n');
    const { source, problems } = read(text);
    expect(problems).toEqual([]);
    expect((source.value as { zones: unknown[] }).zones).toEqual([
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
    ]);
  });

  it('compares keys by their value, as the library did: 1 and 0x1 repeat, 1 and "1" do not', () => {
    expect(read('1: a\n"1": b\n0x1: c\n').problems).toEqual([`3:1  ${DUPLICATE}`]);
  });

  it('compares keys as written, before `${ENV}` is put in', () => {
    expect(read('${A}: 1\n${B}: 2\n', { A: 'x', B: 'x' }).problems).toEqual([]);
  });
});

describe('`${ENV}` references', () => {
  it('in a long list are reported with the path of their item', () => {
    const hosts = Array.from({ length: 20_000 }, (_, i) => (i === 12_345 ? '      - ${MISSING_HOST}\n' : `      - host-${i}\n`));
    const text = `triggers:\n  - id: t\n    hosts:\n${hosts.join('')}    extra:\n      - { name: "\${OTHER}" }\n`;
    expect(read(text).problems).toEqual([
      '12349:9  triggers[0].hosts[12345]  environment variable MISSING_HOST is not set; set it, or write ${MISSING_HOST:-default}',
      '20005:17  triggers[0].extra[0].name  environment variable OTHER is not set; set it, or write ${OTHER:-default}',
    ]);
  });

  it('in a key name the entry by the key as written; later ones by the value put in', () => {
    const { problems } = read('${NOPE}: 1\n${K}:\n  - ${GONE}\n', { K: 'named' });
    expect(problems).toEqual([
      '1:1  ${NOPE}  environment variable NOPE is not set; set it, or write ${NOPE:-default}',
      '3:5  named[0]  environment variable GONE is not set; set it, or write ${GONE:-default}',
    ]);
  });
});

describe('aliases', () => {
  it('resolve to their anchor, 30,000 of them, each used once', () => {
    const zones = Array.from({ length: 30_000 }, (_, i) => `  - id: &z${i} zone-${i}\n`).join('');
    const systems = Array.from({ length: 30_000 }, (_, i) => `  - zones: [*z${i}]\n`).join('');
    const { source, problems } = read(`zones:\n${zones}systems:\n${systems}`);
    expect(problems).toEqual([]);
    const value = source.value as { systems: { zones: string[] }[] };
    expect(value.systems[29_999]!.zones).toEqual(['zone-29999']);
  });

  it('still refuse more than 100 uses of one anchor', () => {
    const text = `a: &a [1, 2]\nb: [${Array.from({ length: 100 }, () => '*a').join(', ')}]\n`;
    expect(read(text).problems).toEqual([
      '1:1  (yaml)  cannot be read: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('still count an anchor that holds aliases by the uses it stands for', () => {
    const ten = (name: string) => Array.from({ length: 10 }, () => `*${name}`).join(', ');
    expect(read(`a: &a x\nb: &b [${ten('a')}]\nc: [${ten('b')}]\n`).problems).toEqual([
      '1:1  (yaml)  cannot be read: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });
});

describe('positionOf', () => {
  const source = read(`server:\n  port: 1\nsettings:\n${keys(50_000, '  ')}list:\n  - a\n  - b\n`).source;

  it('finds a key among 50,000, and its value', () => {
    expect(positionOf(source, ['settings', 'k49999'])).toEqual({ line: 50_003, col: 11 });
    expect(positionOf(source, ['settings', 'k0'])).toEqual({ line: 4, col: 7 });
  });

  it('falls back to the nearest part of the path that exists', () => {
    expect(positionOf(source, ['settings', 'nope', 'deeper'])).toEqual({ line: 4, col: 3 });
    expect(positionOf(source, ['list', 1])).toEqual({ line: 50_006, col: 5 });
    expect(positionOf(source, ['list', '1'])).toEqual({ line: 50_006, col: 5 });
    expect(positionOf(source, ['list', 2])).toEqual({ line: 50_005, col: 3 });
  });
});
