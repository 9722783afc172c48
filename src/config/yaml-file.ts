// Reads one YAML file safely: core schema only (no custom tags), duplicate keys
// rejected, aliases bounded, `${ENV}` interpolated in place so positions survive.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { withDuplicateKeyErrors } from './duplicate-keys.js';
import { eachScalar } from './each-scalar.js';
import { nodesAlong } from './node-at-path.js';
import type { ConfigPath, Problem } from './problems.js';
import { formatPath } from './problems.js';
import { documentToJS } from './to-js.js';

export interface YamlFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

const PARSE_OPTIONS = {
  // Checked by withDuplicateKeyErrors in linear time: the library's check is quadratic in the keys of a mapping.
  uniqueKeys: false,
  schema: 'core',
  resolveKnownTags: false,
  prettyErrors: false,
  strict: true,
} as const;
const MAX_ALIASES = 100;
const ENV_REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function parseYamlFile(file: string, text: string, env: NodeJS.ProcessEnv, problems: Problem[]): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const at = (offset: number) => lines.linePos(offset);
  doc.errors = withDuplicateKeyErrors(doc, () => parseDocument(text, { ...PARSE_OPTIONS, keepSourceTokens: true }));
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = at(error.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, path: '(yaml)', message: error.message.split('\n')[0]! });
  }
  eachScalar(doc, (node, pathOf) => {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return;
    const text = node.value.replace(ENV_REF, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === '$$') return '$';
      // As in the shell, `:-` also covers a variable that is set but empty.
      const value = fallback !== undefined && !env[name!] ? fallback : env[name!];
      if (value === undefined) {
        const pos = at(node.range?.[0] ?? 0);
        problems.push({
          file,
          line: pos.line,
          col: pos.col,
          path: formatPath(pathOf()),
          message: `environment variable ${name} is not set; set it, or write \${${name}:-default}`,
        });
        return '';
      }
      return value;
    });
    // An unquoted `${PORT}` reads like the number or boolean it holds, as if written in place.
    node.value = node.type === 'PLAIN' ? plainScalar(text) : text;
  });
  let value: unknown = {};
  if (doc.errors.length === 0) {
    try {
      value = documentToJS(doc, MAX_ALIASES) ?? {};
    } catch (error) {
      problems.push({ file, line: 1, col: 1, path: '(yaml)', message: `cannot be read: ${(error as Error).message}` });
    }
  }
  return { file, doc, lines, value };
}

function plainScalar(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** The position of the node at `path` (or of its nearest existing ancestor). */
export function positionOf(source: YamlFile, path: ConfigPath): { line: number; col: number } {
  const nodes = nodesAlong(source.doc, path) as ({ range?: [number, number, number] } | undefined)[];
  for (let depth = nodes.length - 1; depth >= 0; depth--) {
    const range = nodes[depth]?.range;
    if (range) return source.lines.linePos(range[0]);
  }
  return { line: 1, col: 1 };
}
