// A signed Unix timestamp (seconds) checked against the engine clock: outside the tolerance,
// either way, the request is refused as a replay, saying by how much and what the tolerance is.

/** The timestamp's digits as sent (they are part of what is signed), or the reason it is refused. */
export type TimestampCheck = { seconds: string } | { refused: string };

export function checkSignedTimestamp(name: string, value: string | undefined, now: number, toleranceMs: number): TimestampCheck {
  if (value === undefined || value === '') return { refused: `the ${name} is missing` };
  const seconds = value.trim();
  // At most 12 digits: a Unix time in seconds; milliseconds or text is a sender's mistake.
  if (!/^\d{1,12}$/.test(seconds)) return { refused: `the ${name} is malformed: expected a Unix time in seconds` };
  const skewMs = now - Number(seconds) * 1000;
  if (Math.abs(skewMs) <= toleranceMs) return { seconds };
  // Rounded up, so a timestamp just past the tolerance never reads as "0 s outside".
  const off = Math.ceil(Math.abs(skewMs) / 1000);
  const over = Math.ceil((Math.abs(skewMs) - toleranceMs) / 1000);
  const how = skewMs > 0 ? `${off} s old` : `${off} s ahead of our clock`;
  return { refused: `the ${name} is ${how}, ${over} s outside the tolerance of ${toleranceMs / 1000} s` };
}
