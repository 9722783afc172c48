// The linear parts of the YAML loader against the yaml library parts they replace, on generated
// YAML full of repeated keys, anchors, aliases, collection keys, `${ENV}` references and the odd
// broken line: the same errors in the same order, the same values and alias errors, the same
// config paths and the same positions. Seeded: YAML_EQUIVALENCE_SEED=n replays a run.
import fc from 'fast-check';
import { isScalar, parseDocument, visit, type Document, type Scalar } from 'yaml';
import { describe, expect, it } from 'vitest';
import { withDuplicateKeyErrors } from './duplicate-keys.js';
import { eachScalar } from './each-scalar.js';
import { nodesAlong } from './node-at-path.js';
import type { ConfigPath } from './problems.js';
import { documentToJS } from './to-js.js';

const SEED = Number(process.env.YAML_EQUIVALENCE_SEED ?? 20261126);
const RUNS = Number(process.env.YAML_EQUIVALENCE_RUNS ?? 300);
const OPTIONS = {
  schema: 'core',
  resolveKnownTags: false,
  prettyErrors: false,
  strict: true,
  // Collection keys make the library warn once per document; not what these tests are about.
  logLevel: 'error',
} as const;

type Tree =
  | { kind: 'scalar'; text: string }
  | { kind: 'alias'; name: string }
  | { kind: 'map'; flow: boolean; anchor?: string; entries: [Key, Tree][] }
  | { kind: 'seq'; flow: boolean; anchor?: string; items: Tree[] };
type Key = { kind: 'scalar'; text: string } | { kind: 'alias'; name: string } | Tree;

const anchorName = fc.constantFrom('x', 'y', 'k');
// Keys and values that repeat, equal each other in the library's eyes, or hold `${ENV}`.
const SCALAR_KEYS = ['a', 'a', 'b', 'c', '"a"', "'a'", '1', '0x1', '1.0', '"1"', 'true', 'True', '~', 'null', '.nan'];
SCALAR_KEYS.push('-0', '0', '<<', '${A}', '${B}', '${UNSET}', '$$', '!!str a', '&k a', '&x b', '""', '__proto__', 'toString');
const SCALAR_VALUES = [
  '1',
  'v',
  '"q"',
  'true',
  '~',
  '${A}',
  '${UNSET}',
  '"${A}-${B:-d}"',
  '$$x',
  '${E:-}',
  "'${B}'",
  '&x 7',
  '&y s',
];
const scalarKey = fc.constantFrom(...SCALAR_KEYS);
// For the alias limit: mostly anchors and aliases over empty lists and mappings, which weigh 0.
const WEIGHTLESS_VALUES = ['[ ]', '{ }', '[ [ ], { } ]', '&x [ ]', '&y { }', '1'];

/** Trees of `values`, and of aliases `aliases` times as often as values are 5. */
const treesOf = (values: string[], aliases: number) =>
  fc.letrec<{ tree: Tree; key: Key }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: fc.constantFrom(...values).map((text) => ({ kind: 'scalar' as const, text })), weight: 5 },
      { arbitrary: anchorName.map((name) => ({ kind: 'alias' as const, name })), weight: aliases },
      {
        arbitrary: fc.record(
          {
            kind: fc.constant('map' as const),
            flow: fc.boolean(),
            anchor: anchorName,
            entries: fc.array(fc.tuple(tie('key') as fc.Arbitrary<Key>, tie('tree') as fc.Arbitrary<Tree>), { maxLength: 6 }),
          },
          { requiredKeys: ['kind', 'flow', 'entries'] },
        ),
        weight: 3,
      },
      {
        arbitrary: fc.record(
          {
            kind: fc.constant('seq' as const),
            flow: fc.boolean(),
            anchor: anchorName,
            items: fc.array(tie('tree') as fc.Arbitrary<Tree>, { maxLength: 5 }),
          },
          { requiredKeys: ['kind', 'flow', 'items'] },
        ),
        weight: 2,
      },
    ),
    key: fc.oneof(
      { arbitrary: scalarKey.map((text) => ({ kind: 'scalar' as const, text })), weight: 12 },
      { arbitrary: anchorName.map((name) => ({ kind: 'alias' as const, name })), weight: 1 },
      // A collection key, written in flow style.
      {
        arbitrary: (tie('tree') as fc.Arbitrary<Tree>).map((t) =>
          t.kind === 'map' || t.kind === 'seq' ? { ...t, flow: true } : t,
        ),
        weight: 1,
      },
    ),
  })).tree;

/** `inside`: within a flow collection, where a plain `${A}` would not be one scalar, so it is quoted. */
function flow(node: Tree | Key, inside = false): string {
  const anchor = 'anchor' in node && node.anchor ? `&${node.anchor} ` : '';
  switch (node.kind) {
    case 'scalar':
      return inside && node.text.startsWith('${') ? `"${node.text}"` : node.text;
    case 'alias':
      return `*${node.name}`;
    case 'map':
      return `${anchor}{ ${node.entries.map(([k, v]) => `${flowKey(k, true)}: ${flow(v, true)}`).join(', ')} }`;
    case 'seq':
      return `${anchor}[ ${node.items.map((item) => flow(item, true)).join(', ')} ]`;
  }
}

/** An alias used as an implicit key needs a space before the colon. */
const flowKey = (key: Key, inside = false) => (key.kind === 'alias' ? `*${key.name} ` : flow(key, inside));

function block(node: Tree, indent: string): string[] {
  if (node.kind === 'map' && !node.flow && node.entries.length > 0) {
    const lines: string[] = [];
    for (const [key, value] of node.entries) {
      const simple = key.kind === 'scalar' || key.kind === 'alias';
      const head = simple ? `${indent}${flowKey(key)}:` : `${indent}? ${flow(key)}\n${indent}:`;
      lines.push(...nested(head, value, indent));
    }
    return lines;
  }
  if (node.kind === 'seq' && !node.flow && node.items.length > 0) {
    return node.items.flatMap((item) => nested(`${indent}-`, item, indent));
  }
  return [`${indent}${flow(node)}`];
}

function nested(head: string, value: Tree, indent: string): string[] {
  const isBlock =
    (value.kind === 'map' && !value.flow && value.entries.length > 0) ||
    (value.kind === 'seq' && !value.flow && value.items.length > 0);
  if (!isBlock) return [`${head} ${flow(value)}`];
  const anchor = 'anchor' in value && value.anchor ? ` &${value.anchor}` : '';
  return [`${head}${anchor}`, ...block({ ...value, anchor: undefined } as Tree, `${indent}  `)];
}

const JUNK = [
  '  x: [',
  '\tz: 1',
  'a: b: c',
  '- oops',
  '!custom q',
  '@bad: 1',
  '? ',
  ': lone',
  '---',
  'key "q',
  '{a: 1',
  ']',
  '*nowhere',
];

/** A document: a block mapping at the root, sometimes with a broken line put in somewhere. */
const documentOf = (tree: fc.Arbitrary<Tree>) =>
  fc
    .tuple(
      fc.array(
        fc.tuple(
          scalarKey.map((text) => ({ kind: 'scalar' as const, text })),
          tree,
        ),
        { minLength: 1, maxLength: 6 },
      ),
      fc.oneof(
        { arbitrary: fc.constant(null), weight: 3 },
        { arbitrary: fc.tuple(fc.constantFrom(...JUNK), fc.nat()), weight: 1 },
      ),
    )
    .map(([entries, junk]) => {
      const lines = block({ kind: 'map', flow: false, entries }, '').join('\n').split('\n');
      if (junk) lines.splice(junk[1] % (lines.length + 1), 0, junk[0]);
      return `${lines.join('\n')}\n`;
    });
const yamlText = documentOf(treesOf(SCALAR_VALUES, 2));
const weightlessText = documentOf(treesOf(WEIGHTLESS_VALUES, 6));

const errorsOf = (errors: readonly { pos: [number, number]; code: string; message: string }[]) =>
  errors.map((e) => `${e.pos[0]} ${e.code} ${e.message}`);

const run = (property: fc.IAsyncProperty<[string]> | fc.IProperty<[string]>) =>
  fc.assert(property as fc.IProperty<[string]>, { seed: SEED, numRuns: RUNS });

describe('duplicate keys, found in one pass', () => {
  it('gives the errors of the library check, in its order', () => {
    run(
      fc.property(yamlText, (text) => {
        const library = parseDocument(text, { ...OPTIONS, uniqueKeys: true });
        const doc = parseDocument(text, { ...OPTIONS, uniqueKeys: false });
        const withTokens = () => parseDocument(text, { ...OPTIONS, uniqueKeys: false, keepSourceTokens: true });
        expect(errorsOf(withDuplicateKeyErrors(doc, withTokens))).toEqual(errorsOf(library.errors));
      }),
    );
  });
});

/** The value, or the message of what was thrown. */
function outcome(convert: () => unknown): unknown {
  try {
    return { value: convert() };
  } catch (error) {
    return { thrown: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe('document values, aliases found in a table', () => {
  it('gives the library value, or its error, at every alias limit', () => {
    run(
      fc.property(fc.oneof(yamlText, weightlessText), (text) => {
        const doc = parseDocument(text, { ...OPTIONS, uniqueKeys: false });
        for (const limit of [-1, 0, 1, 2, 3, 100]) {
          expect(outcome(() => documentToJS(doc, limit))).toEqual(outcome(() => doc.toJS({ maxAliasCount: limit })));
        }
      }),
    );
  });
});

/** The former way: the ancestors `visit` hands out, searched with indexOf. */
function ancestorPath(ancestors: readonly unknown[]): ConfigPath {
  const out: (string | number)[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const node = ancestors[i] as { items?: unknown[]; key?: unknown };
    const next = ancestors[i + 1];
    if (node && Array.isArray(node.items) && next !== undefined) {
      const index = node.items.indexOf(next);
      const item = node.items[index] as { key?: unknown } | undefined;
      if (item && 'key' in item && isScalar(item.key)) continue;
      out.push(index);
    } else if (node && 'key' in node && isScalar(node.key)) {
      out.push(String(node.key.value));
    }
  }
  return out;
}

/** What interpolation does to a scalar: changes it in place, which later paths see. */
const rewrite = (node: Scalar) => {
  if (typeof node.value === 'string' && node.value.includes('$')) node.value = node.value.replaceAll('$', '#');
};

describe('config paths of scalars, kept while walking', () => {
  it('are the paths the ancestor search gave, keys rewritten on the way included', () => {
    run(
      fc.property(yamlText, (text) => {
        const before: string[] = [];
        const old = parseDocument(text, OPTIONS);
        visit(old, {
          Scalar(_key, node, path) {
            before.push(`${String(node.value)} @ ${JSON.stringify(ancestorPath([...path, node]))}`);
            rewrite(node);
          },
        });
        const after: string[] = [];
        eachScalar(parseDocument(text, OPTIONS), (node, pathOf) => {
          after.push(`${String(node.value)} @ ${JSON.stringify(pathOf())}`);
          rewrite(node);
        });
        expect(after).toEqual(before);
      }),
    );
  });
});

/** Paths into the document: every path to a value, and some that go astray. */
function pathsOf(doc: Document): ConfigPath[] {
  const paths: ConfigPath[] = [[]];
  eachScalar(doc, (_node, pathOf) => {
    const path = pathOf();
    paths.push(
      path,
      [...path, 'missing'],
      [...path.slice(0, -1), 0],
      path.map((p) => (typeof p === 'number' ? String(p) : p)),
    );
  });
  return paths;
}

describe('nodes at a config path, keys indexed', () => {
  it('are the nodes doc.getIn finds, at every depth', () => {
    run(
      fc.property(yamlText, (text) => {
        const doc = parseDocument(text, { ...OPTIONS, uniqueKeys: false });
        for (const path of pathsOf(doc)) {
          const nodes = nodesAlong(doc, path);
          for (let depth = 0; depth <= path.length; depth++) {
            expect(nodes[depth] ?? undefined).toBe(doc.getIn(path.slice(0, depth), true) ?? undefined);
          }
        }
      }),
    );
  });
});
