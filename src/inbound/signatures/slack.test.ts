// Slack's signature on the raw bytes: Slack's own documented example verifies at its
// timestamp (the clock is passed in), an empty body and one that is not UTF-8 verify, and a
// stale timestamp is refused saying by how much.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureSchemas } from '../../config/signature-schema.js';
import { slack } from './slack.js';

// From Slack's "Verifying requests from Slack" page.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = 1531420618;
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const config = signatureSchemas.slack.parse({ scheme: 'slack', secret: DOC_SECRET });
const verify = (secret: string, body: Buffer, headers: Record<string, string>, now = DOC_TIMESTAMP * 1000) =>
  slack.verify(secret, { headers, rawBody: body, now }, config);
const headersFor = (signature: string, timestamp = DOC_TIMESTAMP) => ({
  'x-slack-signature': signature,
  'x-slack-request-timestamp': String(timestamp),
});

describe('the slack signature scheme', () => {
  it("accepts Slack's documented example at its own time, and refuses it with another secret", () => {
    expect(verify(DOC_SECRET, Buffer.from(DOC_BODY), headersFor(DOC_SIGNATURE))).toBeUndefined();
    expect(verify('another-secret', Buffer.from(DOC_BODY), headersFor(DOC_SIGNATURE))).toBe(
      'x-slack-signature does not match the body',
    );
  });

  it("refuses Slack's example a day later, saying by how much", () => {
    expect(verify(DOC_SECRET, Buffer.from(DOC_BODY), headersFor(DOC_SIGNATURE), (DOC_TIMESTAMP + 86_400) * 1000)).toBe(
      'the x-slack-request-timestamp header is 86400 s old, 86100 s outside the tolerance of 300 s',
    );
  });

  it('verifies the bytes as received: an empty body and one that is not UTF-8, refused with another secret', () => {
    for (const body of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b])]) {
      const mac = createHmac('sha256', DOC_SECRET).update(`v0:${DOC_TIMESTAMP}:`).update(body).digest('hex');
      expect(verify(DOC_SECRET, body, headersFor(`v0=${mac}`))).toBeUndefined();
      expect(verify('another-secret', body, headersFor(`v0=${mac}`))).toBe('x-slack-signature does not match the body');
    }
  });

  it('refuses a missing or malformed header, saying which', () => {
    const body = Buffer.from(DOC_BODY);
    expect(verify(DOC_SECRET, body, {})).toBe('the x-slack-signature header is missing');
    expect(verify(DOC_SECRET, body, { 'x-slack-signature': DOC_SIGNATURE })).toBe(
      'the x-slack-request-timestamp header is missing',
    );
    expect(verify(DOC_SECRET, body, headersFor('v1=abc'))).toBe(
      'the x-slack-signature header is malformed: expected v0= and 64 hex digits',
    );
  });
});
