// Check 5c: a body whose content type says JSON must be JSON, nested no deeper than the
// limit (a leading byte-order mark is allowed); a form body is read as fields. Other types
// are kept as raw bytes for exec and the log.
import { BadRequest } from '../../errors.js';
import type { MediaKind } from '../inbound-request.js';
import { refusal } from '../outcome.js';
import { pass, refuse, type Checked } from './checked.js';
import { nestsDeeperThan } from './json-depth.js';

export interface ParsedBody {
  /** Parsed JSON or form fields; undefined for other types and an empty body. */
  parsed: unknown;
  kind: MediaKind;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A number literal that may overflow to ±Infinity (an exponent of 3 digits, or 309 digits in a row). */
const MAY_OVERFLOW = /[eE][+-]?\d{3}|\d{309}/;

/**
 * JSON cannot hold ±Infinity: the stored run input would say null where the fresh run saw
 * Infinity, and a run resumed after a restart would get other arguments. So a number that
 * overflows is null from the start, as it will be once stored.
 */
const finiteOrNull = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value);

export function parseBody(raw: Buffer, kind: MediaKind, depthLimit: number): Checked<ParsedBody> {
  if (raw.length === 0 || kind === 'other') return pass({ parsed: undefined, kind });
  if (kind === 'form') return pass({ parsed: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), kind });
  const text = raw.subarray(0, 3).equals(BOM) ? raw.subarray(3) : raw;
  if (nestsDeeperThan(text, depthLimit)) {
    return refuse(
      refusal(new BadRequest('body_malformed', `The JSON body nests deeper than ${depthLimit} levels (server.json_depth).`)),
    );
  }
  try {
    const json = text.toString('utf8');
    return pass({ parsed: JSON.parse(json, MAY_OVERFLOW.test(json) ? finiteOrNull : undefined) as unknown, kind });
  } catch {
    return refuse(refusal(new BadRequest('body_malformed', 'The body is declared as JSON but is not valid JSON.')));
  }
}
