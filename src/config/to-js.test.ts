// Document values against the library's doc.toJS on the cases its alias limit makes subtle:
// anchors that stand for no value, an anchor aliased inside itself before the anchors it
// aliases are counted, anchors nested in anchors, lists used as keys. (Generated documents
// are compared in yaml-equivalence.test.ts.)
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { documentToJS } from './to-js.js';

const OPTIONS = { schema: 'core', resolveKnownTags: false, strict: true, uniqueKeys: false, logLevel: 'error' } as const;

function outcome(convert: () => unknown): unknown {
  try {
    return { value: convert() };
  } catch (error) {
    return { thrown: (error as Error).message };
  }
}

const aliases = (name: string, count: number) => `[${Array.from({ length: count }, () => `*${name}`).join(', ')}]`;

const CASES: Record<string, string> = {
  'an anchor of empty lists, aliased 1,000 times': `a: &z [[], {}, [[]]]\nb: ${aliases('z', 1000)}\n`,
  'an anchor aliased inside itself before an anchor it aliases is first used': `b: &b 1\na: &a [*a, *b]\nc: ${aliases('a', 60)}\n`,
  'the same, under the limit': `b: &b 1\na: &a [*a, *b]\nc: ${aliases('a', 20)}\n`,
  'weightless anchors made of weightless aliases': `z: &z []\ny: &y [*z, *z, {}]\nx: ${aliases('y', 500)}\n`,
  'anchors nested in anchors, each aliased': `a: &a0 [&a1 [&a2 [1, 2, 3]]]\nb: [*a2, *a1, *a0, *a2, *a1, *a0]\n`,
  'anchors nested in anchors, around aliases': `s: &s 1\na: &a0 [&a1 [*s, *s]]\nb: ${aliases('a1', 30)}\nc: ${aliases('a0', 30)}\n`,
  'a list used as a key, with an alias in it': `k: &k v\n? [*k, &j w, *j]\n: 1\n`,
  'a mapping used as a key after 100 anchors': `${Array.from({ length: 100 }, (_, i) => `a${i}: &a${i} ${i}\n`).join('')}? { b: *a7 }\n: 1\n`,
  '__proto__ and repeated keys': `__proto__: { polluted: true }\na: 1\na: 2\n`,
};

describe('document values', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`are the library's for ${name}, at every alias limit`, () => {
      const doc = parseDocument(text, OPTIONS);
      for (const limit of [-1, 0, 1, 10, 50, 100, 1000]) {
        expect(outcome(() => documentToJS(doc, limit))).toEqual(outcome(() => doc.toJS({ maxAliasCount: limit })));
      }
    });
  }
});
