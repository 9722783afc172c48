// A point in time as operators write it for `--since` and `?since=`: ISO 8601, or a
// duration ago (`2h`, `30m`).
import { parseDuration } from '../config/duration.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const SINCE_EXAMPLES = '2h, 30m or 2026-11-25T10:00:00Z';

/** The time (ms) `text` means at `now`, or undefined when it is neither a duration nor an ISO 8601 time. */
export function parseSince(text: string, now: number): number | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  const at = ISO_DATE.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  return Number.isNaN(at) ? undefined : at;
}
