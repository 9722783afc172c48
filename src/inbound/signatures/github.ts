// GitHub's X-Hub-Signature-256, checked by @octokit/webhooks-methods.
import { verify } from '@octokit/webhooks-methods';
import { header, type SignatureScheme } from './signature-scheme.js';

export const github: SignatureScheme = {
  async verify(secret, request) {
    const signature = header(request, 'x-hub-signature-256');
    if (!signature) throw new Error('the x-hub-signature-256 header is missing');
    const valid = await verify(secret, request.rawBody.toString('utf8'), signature).catch(() => false);
    if (!valid) throw new Error('x-hub-signature-256 does not match the body');
  },
};
