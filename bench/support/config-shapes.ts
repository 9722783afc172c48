// Config directories of a chosen size in the shapes that stress the loader: one huge mapping,
// many list items, many `${ENV}` references, deep nesting, and files full of problems.

export interface ShapeConfig {
  /** File name → YAML text. */
  files: Record<string, string>;
  /** The environment the config is loaded with. */
  env: Record<string, string>;
  /** How many problems `check` must report (0: the config is valid). */
  problems: number;
}

export interface Shape {
  name: string;
  description: string;
  /** A config of about `bytes` bytes (a little more: whole items only). */
  make(bytes: number): ShapeConfig;
}

const pad = (n: number) => String(n).padStart(6, '0');

/** Appends lines made by `line(i)` until the text is `bytes` long; `line` gets 0, 1, 2, … */
function fill(head: string, bytes: number, line: (i: number) => string): { text: string; count: number } {
  const parts = [head];
  let length = head.length;
  let count = 0;
  while (length < bytes) {
    const next = line(count++);
    parts.push(next);
    length += next.length;
  }
  return { text: parts.join(''), count };
}

/** One system with one http module whose `headers` mapping holds every key. */
function hugeMapping(bytes: number, duplicateAtEnd: boolean): ShapeConfig {
  const head = [
    'systems:',
    '  - id: sys-api',
    '    modules:',
    '      - driver: http',
    '        settings:',
    '          base_url: https://api.example.com',
    '          headers:',
    '',
  ].join('\n');
  const { text } = fill(head, bytes, (i) => `            h${pad(i)}: v${i}\n`);
  return {
    files: { 'site.yaml': duplicateAtEnd ? `${text}            h${pad(0)}: again\n` : text },
    env: {},
    problems: duplicateAtEnd ? 1 : 0,
  };
}

/** Zones, systems, triggers and instances: thousands of list items, split over two files. */
function manyItems(bytes: number): ShapeConfig {
  const site = fill('zones:\n  - id: org\n', bytes / 3, (i) => `  - id: zone-${pad(i)}\n    parent: org\n`);
  const systems = fill('systems:\n', bytes / 3, (i) =>
    [
      `  - id: sys-${pad(i)}`,
      `    name: Room ${i}`,
      `    zones: [zone-${pad(i % site.count)}]`,
      '    modules:',
      '      - driver: display',
      '        settings: { max_volume: 80, default_input: hdmi2 }',
      '      - driver: display',
      '',
    ].join('\n'),
  );
  const triggers = fill('triggers:\n', bytes / 6, (i) =>
    [
      `  - id: trig-${pad(i)}`,
      '    debounce: 2s',
      '    methods: [POST, PUT]',
      '    actions:',
      '      - call: Display_1.power',
      '        args: { state: true }',
      '      - call: Display_2.volume',
      `        args: { level: ${i % 100} }`,
      '      - emit: room.ready',
      `        data: { room: "${i}" }`,
      '',
    ].join('\n'),
  );
  const instances = fill('instances:\n', bytes / 6, (i) =>
    [
      `  - id: inst-${pad(i)}`,
      `    trigger: trig-${pad(i % triggers.count)}`,
      `    system: sys-${pad(i % systems.count)}`,
      '    exec: true',
      '',
    ].join('\n'),
  );
  return {
    files: { 'site.yaml': site.text + systems.text, 'triggers.yaml': triggers.text + instances.text },
    env: {},
    problems: 0,
  };
}

/** One emit action whose data holds a long list of `${ENV}` references; `unset`: none of them is set. */
function envList(bytes: number, unset: boolean): ShapeConfig {
  const head = [
    'triggers:',
    '  - id: fan-out',
    '    actions:',
    '      - emit: hosts.listed',
    '        data:',
    '          hosts:',
    '',
  ].join('\n');
  const env: Record<string, string> = {};
  const { text, count } = fill(head, bytes, (i) => {
    if (!unset) env[`HOST_${pad(i)}`] = `host-${i}.example.com`;
    // Every fourth one has a default, which is used when the variable is unset or empty.
    return i % 4 === 3 ? `            - \${HOST_${pad(i)}:-fallback-${i}}\n` : `            - "\${HOST_${pad(i)}}"\n`;
  });
  return { files: { 'triggers.yaml': text }, env, problems: unset ? count - Math.floor(count / 4) : 0 };
}

/** Many triggers whose emit data nests 6 block mappings, then 6 flow sequences, then a small mapping (15 levels below the action; templates allow 16). */
function deepNesting(bytes: number): ShapeConfig {
  const item = (i: number) => {
    const lines = [`  - id: deep-${pad(i)}`, '    actions:', '      - emit: deep.nested', '        data:'];
    for (let depth = 0; depth < 6; depth++) lines.push(`${'  '.repeat(depth + 5)}level${depth}:`);
    const flow = `${'['.repeat(6)}{ leaf: ${i}, name: "n${i}" }${']'.repeat(6)}`;
    lines.push(`${'  '.repeat(11)}list: ${flow}`, '');
    return lines.join('\n');
  };
  return { files: { 'triggers.yaml': fill('triggers:\n', bytes, item).text }, env: {}, problems: 0 };
}

/** One trigger with a mapping of misspelt keys: one "Unrecognized key" problem each, located at its key. */
function unknownKeys(bytes: number): ShapeConfig {
  const { text, count } = fill('triggers:\n  - id: typo\n', bytes, (i) => `    k${pad(i)}: ${i}\n`);
  return { files: { 'triggers.yaml': text }, env: {}, problems: count };
}

/** Many instances naming triggers that do not exist, next to many triggers that do. */
function missingReferences(bytes: number): ShapeConfig {
  const triggers = fill('systems:\n  - id: sys-1\ntriggers:\n', bytes / 2, (i) => `  - id: trig-${pad(i)}\n`);
  const instances = fill('instances:\n', bytes / 2, (i) =>
    [`  - id: inst-${pad(i)}`, `    trigger: gone-${pad(i)}`, '    system: sys-1', ''].join('\n'),
  );
  return { files: { 'a.yaml': triggers.text, 'b.yaml': instances.text }, env: {}, problems: instances.count };
}

/** Zones whose ids carry anchors, and systems that name their zone by alias: each anchor used once. */
function aliases(bytes: number): ShapeConfig {
  const zones = fill('zones:\n', bytes / 2, (i) => `  - id: &z${pad(i)} zone-${pad(i)}\n`);
  const systems = fill('systems:\n', bytes / 2, (i) => `  - id: sys-${pad(i)}\n    zones: [*z${pad(i % zones.count)}]\n`);
  return { files: { 'site.yaml': zones.text + systems.text }, env: {}, problems: 0 };
}

export const SHAPES: readonly Shape[] = [
  { name: 'huge-map', description: 'one http module, 1 mapping of headers', make: (b) => hugeMapping(b, false) },
  { name: 'huge-map-dup', description: 'the same, last key repeats the first', make: (b) => hugeMapping(b, true) },
  { name: 'many-items', description: 'zones, systems, triggers, instances', make: manyItems },
  { name: 'env-list', description: 'a list of ${ENV} refs, all set', make: (b) => envList(b, false) },
  { name: 'env-unset', description: 'the same list, none set (1 problem each)', make: (b) => envList(b, true) },
  { name: 'deep', description: 'triggers with data nested 15 deep', make: deepNesting },
  { name: 'aliases', description: 'zone ids anchored, systems naming them by alias', make: aliases },
  { name: 'unknown-keys', description: 'a trigger with many unknown keys', make: unknownKeys },
  { name: 'missing-refs', description: 'instances naming missing triggers', make: missingReferences },
];
