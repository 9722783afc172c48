// Reads one YAML file safely: core schema only (no custom tags), duplicate keys
// rejected, aliases bounded, `${ENV}` interpolated in place so positions survive.
import { LineCounter, parseDocument, isScalar, visit, type Document } from 'yaml';
import type { ConfigPath, Problem } from './problems.js';
import { formatPath } from './problems.js';

export interface YamlFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

const MAX_ALIASES = 100;
const ENV_REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function parseYamlFile(file: string, text: string, env: NodeJS.ProcessEnv, problems: Problem[]): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    schema: 'core',
    resolveKnownTags: false,
    prettyErrors: false,
    strict: true,
  });
  const at = (offset: number) => lines.linePos(offset);
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = at(error.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, path: '(yaml)', message: error.message.split('\n')[0]! });
  }
  visit(doc, {
    Scalar(_key, node, path) {
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
            path: formatPath(nodePath([...path, node])),
            message: `environment variable ${name} is not set; set it, or write \${${name}:-default}`,
          });
          return '';
        }
        return value;
      });
      // An unquoted `${PORT}` reads like the number or boolean it holds, as if written in place.
      node.value = node.type === 'PLAIN' ? plainScalar(text) : text;
    },
  });
  let value: unknown = {};
  if (doc.errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
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

/** Turns the ancestor list that `visit` hands out into a config path. */
function nodePath(ancestors: readonly unknown[]): ConfigPath {
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

/** The position of the node at `path` (or of its nearest existing ancestor). */
export function positionOf(source: YamlFile, path: ConfigPath): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = source.doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return source.lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}
