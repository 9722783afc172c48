// A stored YAML file as the admin API shows it below the admin scope: the value of every
// secret-looking key (the engine's one rule, redact.ts) and every Standard Webhooks signing
// secret replaced, wherever it is written inline; `${ENV}` references are kept (they name a
// variable, not its value). Line by line, so comments and layout stay as the operator wrote them.
import { isSecretKey, REDACTED } from '../redact.js';

// A key and its inline value, in block (`key: value`) or flow (`{ key: value, … }`) style.
const KEY_VALUE = /(^|[\s{,])(["']?)([A-Za-z0-9_.-]+)\2(\s*:[ \t]+)([^\n,}#]*[^\s,}#])/gm;
const SIGNING_SECRET = /whsec_[A-Za-z0-9+/=]+/g;

export function redactYaml(text: string): string {
  return text
    .replace(KEY_VALUE, (whole, before: string, quote: string, key: string, colon: string, value: string) =>
      isSecretKey(key) && !value.trim().startsWith('${') ? `${before}${quote}${key}${quote}${colon}${REDACTED}` : whole,
    )
    .replace(SIGNING_SECRET, REDACTED);
}
