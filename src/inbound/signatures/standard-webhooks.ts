// Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), checked by the
// `standardwebhooks` reference library, which also refuses timestamps older than 5 minutes.
import { Webhook } from 'standardwebhooks';
import { header, type SignatureScheme } from './signature-scheme.js';

export const standardWebhooks: SignatureScheme = {
  async verify(secret, request) {
    const headers = {
      'webhook-id': header(request, 'webhook-id') ?? '',
      'webhook-timestamp': header(request, 'webhook-timestamp') ?? '',
      'webhook-signature': header(request, 'webhook-signature') ?? '',
    };
    if (!headers['webhook-id'] || !headers['webhook-timestamp'] || !headers['webhook-signature']) {
      throw new Error('webhook-id, webhook-timestamp and webhook-signature headers are required');
    }
    try {
      new Webhook(secret).verify(request.rawBody, headers, { jsonParse: false });
    } catch (error) {
      throw new Error((error as Error).message.toLowerCase().replace(/\.$/, ''));
    }
  },
};
