// Covers action-argument templates: typed single expressions, text interpolation, safe path walking and the limits on paths and nesting.
import { afterEach, describe, expect, it } from 'vitest';
import { render, TemplateError, templateProblems, type TemplateInput } from './template.js';

function input(overrides: Partial<TemplateInput> = {}): TemplateInput {
  return {
    method: 'POST',
    body: {
      count: 3,
      ratio: 0.5,
      ok: true,
      off: false,
      nothing: null,
      zero: 0,
      room: { id: 'r-101', floor: 1, tags: ['quiet', 'east'] },
      items: [{ name: 'first' }, { name: 'second' }],
      'with-dash': 'dashed',
      with_underscore: 'underscored',
    },
    query: { room: '101', multi: ['a', 'b'] },
    headers: { 'x-request-id': 'req-42', 'content-type': 'application/json' },
    ...overrides,
  };
}

/** A path of `n` segments: body.a.a.a… */
const pathOf = (n: number) => ['body', ...Array.from({ length: n - 1 }, () => 'a')].join('.');

/** `value` wrapped in `levels` nested objects. */
function nested(levels: number, value: unknown): unknown {
  let current = value;
  for (let i = 0; i < levels; i++) current = { a: current };
  return current;
}

/** The error `run` throws (fails the test when it does not). */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  // Nothing a template does may add to or change Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('render: a string that is one expression', () => {
  it('keeps a number a number', () => {
    expect(render('{{ body.count }}', input())).toBe(3);
    expect(render('{{body.ratio}}', input())).toBe(0.5);
    expect(render('{{ body.zero }}', input())).toBe(0);
  });

  it('keeps a boolean a boolean', () => {
    expect(render('{{ body.ok }}', input())).toBe(true);
    expect(render('{{ body.off }}', input())).toBe(false);
  });

  it('keeps an object an object and an array an array', () => {
    const request = input();
    expect(render('{{ body.room }}', request)).toEqual({ id: 'r-101', floor: 1, tags: ['quiet', 'east'] });
    expect(render('{{ body.room.tags }}', request)).toEqual(['quiet', 'east']);
    expect(render('{{ query.multi }}', request)).toEqual(['a', 'b']);
  });

  it('keeps null as null', () => {
    expect(render('{{ body.nothing }}', input())).toBeNull();
  });

  it('reads the method, query and headers, including header names with dashes', () => {
    const request = input();
    expect(render('{{ method }}', request)).toBe('POST');
    expect(render('{{ query.room }}', request)).toBe('101');
    expect(render('{{ headers.x-request-id }}', request)).toBe('req-42');
    expect(render('{{ headers.content-type }}', request)).toBe('application/json');
    expect(render('{{ body.with-dash }}', request)).toBe('dashed');
    expect(render('{{ body.with_underscore }}', request)).toBe('underscored');
  });

  it('indexes arrays by position', () => {
    expect(render('{{ body.items.1.name }}', input())).toBe('second');
    expect(render('{{ body.room.tags.0 }}', input())).toBe('quiet');
    expect(render('{{ body.items.5.name }}', input())).toBeUndefined();
  });

  it('answers undefined for a missing path', () => {
    const request = input();
    expect(render('{{ body.missing }}', request)).toBeUndefined();
    expect(render('{{ body.room.missing.deeper }}', request)).toBeUndefined();
    expect(render('{{ body.count.deeper }}', request)).toBeUndefined();
    expect(render('{{ body.nothing.deeper }}', request)).toBeUndefined();
    expect(render('{{ headers.x-missing }}', request)).toBeUndefined();
    expect(render('{{ body.a }}', input({ body: undefined }))).toBeUndefined();
    expect(render('{{ body.a }}', input({ body: 'plain text' }))).toBeUndefined();
  });
});

describe('render: text with expressions inside', () => {
  it('interpolates values as text', () => {
    expect(render('room {{ query.room }} on floor {{ body.room.floor }}', input())).toBe('room 101 on floor 1');
    expect(render('{{ method }} {{ headers.x-request-id }}', input())).toBe('POST req-42');
    expect(render('ok={{ body.ok }}', input())).toBe('ok=true');
  });

  it('writes objects and arrays as JSON', () => {
    expect(render('tags: {{ body.room.tags }}', input())).toBe('tags: ["quiet","east"]');
    expect(render('room: {{ body.room }}', input())).toBe('room: {"id":"r-101","floor":1,"tags":["quiet","east"]}');
  });

  it('writes a missing or null value as empty text', () => {
    expect(render('[{{ body.missing }}]', input())).toBe('[]');
    expect(render('[{{ body.nothing }}]', input())).toBe('[]');
    expect(render('[{{ body.zero }}]', input())).toBe('[0]');
  });

  it('leaves text without expressions alone', () => {
    expect(render('plain', input())).toBe('plain');
    expect(render('', input())).toBe('');
    expect(render('{ not an expression }', input())).toBe('{ not an expression }');
  });
});

describe('render: structures', () => {
  it('renders every value of nested objects and arrays, keeping other values', () => {
    const args = {
      input: '{{ body.room.id }}',
      level: '{{ body.count }}',
      fixed: 7,
      flag: false,
      none: null,
      list: ['{{ query.room }}', 'x-{{ headers.x-request-id }}', 1, ['{{ body.ok }}']],
      deep: { inner: { method: '{{ method }}', tags: '{{ body.room.tags }}' } },
    };
    expect(render(args, input())).toEqual({
      input: 'r-101',
      level: 3,
      fixed: 7,
      flag: false,
      none: null,
      list: ['101', 'x-req-42', 1, [true]],
      deep: { inner: { method: 'POST', tags: ['quiet', 'east'] } },
    });
  });

  it('does not change the arguments it is given', () => {
    const args = { a: ['{{ body.count }}'], b: { c: '{{ method }}' } };
    const copy = structuredClone(args);
    render(args, input());
    expect(args).toEqual(copy);
  });

  it('renders 16 levels of nesting and refuses 17', () => {
    expect(render(nested(16, '{{ body.count }}'), input())).toEqual(nested(16, 3));
    const error = thrown(() => render(nested(17, '{{ body.count }}'), input()));
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toBe('arguments nest deeper than 16 levels');
    expect(thrown(() => render(nested(17, 5), input()))).toBeInstanceOf(TemplateError);
  });
});

describe('render: only the request’s own properties are reachable', () => {
  it.each([
    '{{ body.constructor }}',
    '{{ body.toString }}',
    '{{ body.hasOwnProperty }}',
    '{{ body.__proto__ }}',
    '{{ body.room.constructor }}',
    '{{ body.room.__proto__ }}',
    '{{ body.items.constructor }}',
    '{{ body.items.map }}',
    '{{ query.room.length }}',
    '{{ headers.__proto__ }}',
    '{{ body.constructor.prototype }}',
  ])('answers undefined for %s', (template) => {
    expect(render(template, input())).toBeUndefined();
  });

  it('interpolates inherited names as empty text, not as functions', () => {
    expect(render('a{{ body.toString }}b{{ body.constructor }}c', input())).toBe('abc');
  });

  it('walks a JSON body’s own "__proto__" key as data without polluting Object.prototype', () => {
    const body = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as unknown;
    const request = input({ body });
    expect(render('{{ body.__proto__.polluted }}', request)).toBe('yes');
    expect(render('{{ body.constructor.prototype.polluted }}', request)).toBe('yes');
    const rendered = render({ __proto__x: '{{ body.__proto__ }}', nested: { copy: '{{ body.constructor }}' } }, request);
    expect(rendered).toEqual({ __proto__x: { polluted: 'yes' }, nested: { copy: { prototype: { polluted: 'yes' } } } });
  });

  it('keeps an argument key named "__proto__" as data', () => {
    const args = JSON.parse('{"__proto__": {"polluted": "{{ method }}"}}') as unknown;
    const rendered = render(args, input()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(rendered.polluted).toBeUndefined();
    expect(Object.hasOwn(rendered, '__proto__')).toBe(true);
  });

  it('reads headers kept in an object without a prototype', () => {
    const headers = Object.assign(Object.create(null) as Record<string, unknown>, { 'x-request-id': 'bare' });
    expect(render('{{ headers.x-request-id }}', input({ headers }))).toBe('bare');
    expect(render('{{ headers.toString }}', input({ headers }))).toBeUndefined();
  });
});

describe('render: expressions that are not paths are refused, never evaluated', () => {
  it.each([
    '{{ body.a + 1 }}',
    '{{ body.count * 2 }}',
    '{{ body["count"] }}',
    '{{ body.count() }}',
    '{{ process.exit }}',
    '{{ globalThis }}',
    '{{ this }}',
    '{{ constructor }}',
    '{{ toString }}',
    '{{ __proto__ }}',
    '{{ body..count }}',
    '{{ body. }}',
    '{{ }}',
  ])('throws TemplateError for %s', (template) => {
    expect(thrown(() => render(template, input()))).toBeInstanceOf(TemplateError);
    expect(thrown(() => render(`text around ${template}`, input()))).toBeInstanceOf(TemplateError);
  });

  it('walks 16 segments and refuses 17', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 15; i++) deep = { a: deep };
    const request = input({ body: deep });
    expect(render(`{{ ${pathOf(16)} }}`, request)).toBe('bottom');
    const error = thrown(() => render(`{{ ${pathOf(17)} }}`, request));
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toContain('deeper than 16 steps');
  });
});

describe('templateProblems', () => {
  it('answers nothing for good templates, plain values and nested structures', () => {
    expect(
      templateProblems({
        a: '{{ body.x }}',
        b: ['{{ query.y }} and {{ headers.x-id }}', 3, null, true],
        c: { d: '{{ method }}' },
      }),
    ).toEqual([]);
    expect(templateProblems('no expressions')).toEqual([]);
    expect(templateProblems(42)).toEqual([]);
    expect(templateProblems(undefined)).toEqual([]);
  });

  it.each(['env.HOME', 'process.env', 'constructor', 'toString', '__proto__', 'this', 'Body.x', 'bodyx.y'])(
    'refuses the root of {{ %s }}, listing the roots',
    (expression) => {
      expect(templateProblems({ input: `{{ ${expression} }}` })).toEqual([
        `"{{ ${expression} }}" must start with one of: method, body, query, headers`,
      ]);
    },
  );

  it('reports an expression with code in it as a problem instead of evaluating it', () => {
    expect(templateProblems({ level: '{{ body.a + 1 }}' })).toEqual([
      '"{{ body.a + 1 }}" is not a dotted path of letters, digits, "-" and "_"',
    ]);
    expect(templateProblems(['{{ body.f() }}', '{{ body["a"] }}'])).toHaveLength(2);
  });

  it('reports 17 segments and accepts 16', () => {
    expect(templateProblems(`{{ ${pathOf(16)} }}`)).toEqual([]);
    expect(templateProblems(`{{ ${pathOf(17)} }}`)).toEqual([`"{{ ${pathOf(17)} }}" is deeper than 16 steps`]);
  });

  it('reports nesting deeper than 16 levels and accepts 16', () => {
    expect(templateProblems(nested(16, '{{ body.x }}'))).toEqual([]);
    expect(templateProblems(nested(17, '{{ body.x }}'))).toEqual(['arguments nest deeper than 16 levels']);
    expect(templateProblems(nested(17, 'plain'))).toEqual(['arguments nest deeper than 16 levels']);
  });

  it('reports every bad expression, in order', () => {
    expect(templateProblems({ a: '{{ env.X }} {{ body.ok }} {{ body.a b }}', b: ['{{ secrets.key }}'] })).toEqual([
      '"{{ env.X }}" must start with one of: method, body, query, headers',
      '"{{ body.a b }}" is not a dotted path of letters, digits, "-" and "_"',
      '"{{ secrets.key }}" must start with one of: method, body, query, headers',
    ]);
  });
});
