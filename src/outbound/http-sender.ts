// Sends one POST to a subscriber: through the address guard, directly or through the
// outbound proxy, without following redirects, cut off at the timeout, and keeping only
// the first bytes of the answer.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { AddressBlocked, type AddressGuard } from './address-guard.js';
import type { ClientTls } from './client-tls.js';
import { createOutboundAgents, type OutboundAgents } from './outbound-agents.js';

export interface SendOptions {
  timeoutMs: number;
  responseLimit: number;
  /** The subscription's own headers: sent as given, but never instead of the ones we set. */
  headers?: Readonly<Record<string, string>>;
  /** The subscription's client certificate, presented to https targets (mTLS). */
  tls?: ClientTls;
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

export interface HttpSenderOptions {
  /** `outbound.proxy`: every delivery goes through it. */
  proxy?: string;
}

export class HttpSender {
  private readonly agents: OutboundAgents;

  constructor(
    private readonly guard: AddressGuard,
    options: HttpSenderOptions = {},
  ) {
    this.agents = createOutboundAgents(options.proxy);
  }

  async post(target: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
    const started = performance.now();
    const done = (result: Omit<SendResult, 'latencyMs'>): SendResult => ({
      ...result,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    const url = new URL(target);
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`timed out after ${options.timeoutMs} ms`), options.timeoutMs);
    });
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const refused = await Promise.race([this.screen(host), timedOut]);
    if (refused) {
      clearTimeout(timer);
      return done({ response: '', error: refused });
    }
    const transport = protocol === 'https:' ? https : http;
    const via = this.agents.proxied ? 'via proxy: ' : '';
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
        agent: this.agents.for(protocol),
        // Direct, the guard resolves the name and checks the addresses connected to; through
        // a proxy the proxy resolves it (what `screen` could check was checked).
        ...(this.agents.proxied ? {} : { lookup: this.guard.lookup }),
        ...(protocol === 'https:' ? options.tls : undefined),
        // Inside a CONNECT tunnel to an IP literal the library gives TLS no host, so Node would
        // check the certificate against "localhost": check it against the target instead.
        ...(this.agents.proxied && protocol === 'https:'
          ? { checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(host, cert) }
          : undefined),
        headers: {
          'user-agent': 'Switchboard-Webhooks/1',
          // Ours come after the subscription's, so a name given twice is ours (the schema refuses them too).
          ...options.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      });
      void timedOut.then((reason) => {
        request.destroy();
        finish({ response: '', error: reason });
      });
      // The tunnel's own refusal (403, 407, 502…) is the proxy's answer, not the receiver's.
      request.on('proxyConnect', (connect: { statusCode?: number; statusText?: string }) => {
        if (connect.statusCode === undefined || connect.statusCode === 200) return;
        request.destroy();
        finish({ response: '', error: `the proxy refused the tunnel: ${connect.statusCode} ${connect.statusText ?? ''}`.trim() });
      });
      request.on('error', (error: NodeJS.ErrnoException) => finish({ response: '', error: via + describe(error) }));
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
    this.agents.destroy();
  }

  /** Why the target may not be reached (the address guard's refusal), or undefined. */
  private async screen(host: string): Promise<string | undefined> {
    // Node connects to an IP literal without calling `lookup`, so literals are checked here.
    if (isIP(host)) {
      const blocked = this.guard.blockedKind(host, host);
      return blocked && `blocked: ${host} is a ${blocked} address; allow it in outbound.allow to deliver there`;
    }
    // Direct, `lookup` checks every address at connect time.
    if (!this.agents.proxied) return undefined;
    // Behind a proxy the proxy resolves the name and connects, so only our own resolution can
    // be checked: a name that resolves here to a refused address is refused. One that does not
    // resolve here is left to the proxy (networks that reach out only through a proxy often
    // cannot resolve outside names), as is a name whose DNS answers differently to the proxy.
    try {
      await this.guard.check(host);
      return undefined;
    } catch (error) {
      return error instanceof AddressBlocked ? `blocked: ${error.message}` : undefined;
    }
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
