// A stored YAML file as the admin API shows it below the admin scope: the value of every
// secret-looking key (the engine's one rule, redact.ts) and every Standard Webhooks signing
// secret replaced, wherever it is written: inline (`secret: x`, `{ secret: x }`, `secret:
// [a, b]`) or as a block list under the key; `${ENV}` references are kept (they name a
// variable, not its value), a default written in one (`${ENV:-literal}`) is not. Line by line, so comments and layout stay as the operator wrote them.
import { isSecretKey, REDACTED } from '../redact.js';

// A key and its inline value, in block (`key: value`) or flow (`{ key: value, … }`) style; a
// flow sequence of scalars (`[a, b]`) is one value; one of mappings is scanned inside.
const KEY_VALUE =
  /(^|[\s{,])(["']?)([A-Za-z0-9_.-]+)\2(\s*:[ \t]+)(\[(?:[^\]\n:{]|\$\{[^}\n]*\})*\]|"[^"\n]*"|'[^'\n]*'|(?:\$\{[^}\n]*\}|\$(?!\{)|[^\n,}#[\s$]|[ \t]+(?=[^\s,}#[]))+)/g;
// A key with no inline value: its value is the block below it.
const BLOCK_KEY = /^(\s*)(?:-\s+)?(["']?)([A-Za-z0-9_.-]+)\2\s*:\s*(#.*)?$/;
const LIST_ITEM = /^(\s*)-\s+(?!#)(.*\S)\s*$/;
const SIGNING_SECRET = /whsec_[A-Za-z0-9+/=]+/g;

/** A secret's value as shown: a `${VAR}` reference kept (its default, a literal, redacted), anything else redacted. */
function shown(value: string): string {
  const quoted = /^\s*(["'])(.*)\1\s*$/.exec(value);
  if (quoted) return `${quoted[1]}${shown(quoted[2]!)}${quoted[1]}`;
  const trimmed = value.trim();
  const reference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)[^}]*)?\}$/.exec(trimmed);
  if (!reference) return REDACTED;
  return reference[2] === undefined ? trimmed : `\${${reference[1]}${reference[2]}${REDACTED}}`;
}

export function redactYaml(text: string): string {
  let blockIndent = -1;
  return text
    .split('\n')
    .map((line) => {
      const indent = line.length - line.trimStart().length;
      if (blockIndent >= 0 && line.trim() !== '' && indent <= blockIndent) blockIndent = -1;
      if (blockIndent >= 0) {
        const item = LIST_ITEM.exec(line);
        return item ? `${item[1]}- ${shown(item[2]!)}` : line;
      }
      const block = BLOCK_KEY.exec(line);
      if (block && isSecretKey(block[3]!)) blockIndent = indent;
      return line.replace(KEY_VALUE, (whole, before: string, quote: string, key: string, colon: string, value: string) => {
        if (!isSecretKey(key)) return whole;
        const kept = value.startsWith('[')
          ? `[${value
              .slice(1, -1)
              .split(',')
              .map((v) => shown(v))
              .join(', ')}]`
          : shown(value);
        return `${before}${quote}${key}${quote}${colon}${kept}`;
      });
    })
    .join('\n')
    .replace(SIGNING_SECRET, REDACTED);
}
