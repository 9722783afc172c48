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
    return pass({ parsed: JSON.parse(text.toString('utf8')) as unknown, kind });
  } catch {
    return refuse(refusal(new BadRequest('body_malformed', 'The body is declared as JSON but is not valid JSON.')));
  }
}
