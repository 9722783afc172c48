// Sends one POST to a subscriber: through the address guard, without following
// redirects, cut off at the timeout, and keeping only the first bytes of the answer.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { AddressGuard } from './address-guard.js';

export interface SendOptions {
  timeoutMs: number;
  responseLimit: number;
}

export interface SendResult {
  /** Absent when no answer came (refused, blocked, timed out). */
  status?: number;
  /** The first `responseLimit` bytes of the answer, as text. */
  response: string;
  latencyMs: number;
  error?: string;
  /** From Retry-After, when the answer carried one. */
  retryAfterMs?: number;
}

export class HttpSender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(private readonly guard: AddressGuard) {}

  async post(target: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
    const started = performance.now();
    const done = (result: Omit<SendResult, 'latencyMs'>): SendResult => ({
      ...result,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    const url = new URL(target);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Node connects to an IP literal without calling `lookup`, so literals are checked here.
    if (isIP(host)) {
      const blocked = this.guard.blockedKind(host, host);
      if (blocked)
        return done({
          response: '',
          error: `blocked: ${host} is a ${blocked} address; allow it in outbound.allow to deliver there`,
        });
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(result));
      };
      const request = transport.request(url, {
        method: 'POST',
        agent: this.agents[url.protocol as 'http:' | 'https:'],
        lookup: this.guard.lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Switchboard-Webhooks/1',
          ...headers,
        },
      });
      const timer = setTimeout(() => {
        request.destroy();
        finish({ response: '', error: `timed out after ${options.timeoutMs} ms` });
      }, options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => finish({ response: '', error: describe(error) }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (kept < options.responseLimit) {
            const part = chunk.subarray(0, options.responseLimit - kept);
            chunks.push(part);
            kept += part.length;
          }
          // Past the limit the rest is not worth reading; a huge answer must not cost us.
          if (read >= options.responseLimit * 64) response.destroy();
        });
        const settle = () =>
          finish({
            status: response.statusCode,
            response: Buffer.concat(chunks).toString('utf8'),
            retryAfterMs: retryAfter(response.headers['retry-after']),
          });
        response.on('end', settle);
        response.on('close', settle);
        response.on('error', settle);
      });
      request.end(body);
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.name === 'AddressBlocked') return `blocked: ${error.message}`;
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ENOTFOUND') return 'host not found';
  if (error.code === 'ECONNRESET') return 'connection reset';
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

/** Retry-After as seconds or an HTTP date, bounded to a day. */
export function retryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 86_400_000) : undefined;
}
