// Signs outbound bodies with the Standard Webhooks scheme, through the scheme's own
// library: `webhook-id`, `webhook-timestamp`, and `webhook-signature` holding one
// `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret (several during a rotation).
import { Webhook } from 'standardwebhooks';

const signers = new Map<string, Webhook>();

function signerFor(secret: string): Webhook {
  let signer = signers.get(secret);
  if (!signer) {
    signer = new Webhook(secret);
    signers.set(secret, signer);
  }
  return signer;
}

export function signatureHeaders(
  secrets: readonly string[],
  messageId: string,
  timestampMs: number,
  body: string,
): Record<string, string> {
  const at = new Date(Math.floor(timestampMs / 1000) * 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestampMs / 1000)),
    'webhook-signature': secrets.map((secret) => signerFor(secret).sign(messageId, at, body)).join(' '),
  };
}
