// Reads the raw body once, decoded (gzip, deflate, br) and bounded: the limit counts the
// decoded bytes, so a small compressed bomb is cut off at the limit like any large body.
// An unknown encoding is 415; a body shorter or longer than its Content-Length is 400.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import inflate from 'inflation';
import getRawBody from 'raw-body';
import { BadRequest, PayloadTooLarge, UnsupportedEncoding } from '../errors.js';
import { pass, refuse, type Checked } from './checks/checked.js';
import { refusal } from './outcome.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Checked<Buffer>> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let stream: Readable;
  try {
    stream = inflate(req, { encoding } as inflate.Options);
  } catch {
    return refuse(refusal(new UnsupportedEncoding(encoding)));
  }
  if (stream !== req) {
    // A client that goes away mid-body must end the read, not leave it waiting for the decoder.
    req.once('close', () => {
      if (!req.complete) stream.destroy(new Error('the request was aborted'));
    });
  }
  try {
    const length = stream === req ? req.headers['content-length'] : undefined;
    return pass(await getRawBody(stream, { limit, length }));
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') return refuse(refusal(new PayloadTooLarge(limit)));
    if (type === 'request.size.invalid') {
      return refuse(refusal(new BadRequest('body_incomplete', 'The body is shorter or longer than its Content-Length.')));
    }
    if ((error as { code?: string }).code?.startsWith('Z_') || (error as { errno?: number }).errno !== undefined) {
      return refuse(refusal(new BadRequest('body_malformed', `The body is not valid ${encoding} data.`)));
    }
    if (type === 'request.aborted' || req.destroyed) {
      // The connection ended mid-body: the client hung up or stopped (Node then answers 400
      // itself), or request_timeout cut it (Node answered 408; the route tells which).
      return refuse(refusal(new BadRequest('body_incomplete', 'The connection ended before the whole body arrived.')));
    }
    return refuse(refusal(new BadRequest('body_unreadable', 'The request body could not be read.')));
  }
}
