// The data of a module.state_changed event. A state value can be large (a Meraki module's
// map of thousands of clients); past a bound it is described rather than copied, so one
// busy module cannot flood the outbox and every subscriber with megabytes per change.

export const STATE_VALUE_LIMIT = 16 * 1024;

export function boundedStateValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  return bytes <= STATE_VALUE_LIMIT ? value : { omitted: `larger than ${STATE_VALUE_LIMIT / 1024} KiB`, bytes };
}
