// Calls and webhooks of a module that runs on another node, forwarded over HTTP to that
// node's listener (/internal/v1/modules/…, internal-route.ts), authenticated by the secret
// every node of the database shares. The holder is looked up per call: a module that
// moves is reached where it runs now; while it has no node (its node died, and the lease
// has not passed on yet) or its node cannot be reached, the call waits and tries again, up
// to FORWARD_TIMEOUT_MS, so a run going on through a failover is late rather than failed.
// A caller's own deadline (an exec's timeout) still bounds the whole hop.
import http from 'node:http';
import https from 'node:https';
import type { WebhookRequest, WebhookResponse } from '../drivers/api.js';
import { ModuleCallInvalid, type ModuleInstance, type RemoteModules } from '../drivers/module-instance.js';
import type { ClusterRepo } from '../store/cluster-repo.js';

/** The longest a forwarded call waits for the other node, a failover included (a method call has no deadline of its own). */
export const FORWARD_TIMEOUT_MS = 30_000;
/** How long a call waits before it asks again which node runs a module that had none, or did not answer. */
const RETRY_MS = 500;

/** How many connections one node keeps open to another for forwarded calls: more wait their turn. */
const MAX_SOCKETS = 16;

/** The module has no node that answers right now: worth asking again once the lease has passed on. */
class NotReachable extends Error {}

class ForwardTimeout extends Error {}

/** What a forwarded webhook's body travels as: bytes as base64, anything else as JSON. */
export type CarriedBody = { base64: string } | { json: unknown } | null;

export function carry(body: unknown): CarriedBody {
  if (body === undefined) return null;
  if (Buffer.isBuffer(body)) return { base64: body.toString('base64') };
  return { json: body };
}

export function uncarry(body: CarriedBody): unknown {
  if (body === null) return undefined;
  return 'base64' in body ? Buffer.from(body.base64, 'base64') : body.json;
}

export class HttpRemoteModules implements RemoteModules {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  };

  constructor(
    private readonly cluster: ClusterRepo,
    /** The secret the nodes of this database share. */
    private readonly secret: string,
  ) {}

  async call(module: ModuleInstance, method: string, args: unknown): Promise<unknown> {
    const answer = await this.post(module, 'call', { method, args });
    return (answer as { result?: unknown }).result;
  }

  async webhook(module: ModuleInstance, method: string, request: WebhookRequest): Promise<WebhookResponse | void> {
    const answer = (await this.post(module, 'webhook', {
      method,
      request: { ...request, rawBody: request.rawBody.toString('base64') },
    })) as { response: (Omit<WebhookResponse, 'body'> & { body: CarriedBody }) | null };
    if (!answer.response) return;
    return { ...answer.response, body: uncarry(answer.response.body) };
  }

  private async post(module: ModuleInstance, op: 'call' | 'webhook', payload: unknown): Promise<unknown> {
    const deadline = Date.now() + FORWARD_TIMEOUT_MS;
    for (;;) {
      try {
        return await this.postOnce(module, op, payload, deadline);
      } catch (error) {
        if (!(error instanceof NotReachable) || Date.now() + RETRY_MS >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private async postOnce(module: ModuleInstance, op: 'call' | 'webhook', payload: unknown, deadline: number): Promise<unknown> {
    const name = `${module.systemId}/${module.address}`;
    const holder = await this.cluster.holder(name, Date.now());
    if (!holder?.url) throw new NotReachable(`${module.address} runs on no node right now (it is moving between nodes)`);
    const url = `${holder.url}/internal/v1/modules/${encodeURIComponent(module.systemId)}/${encodeURIComponent(module.address)}/${op}`;
    let response: { status: number; body: string };
    try {
      response = await this.send(url, JSON.stringify(payload), Math.max(1, deadline - Date.now()));
    } catch (error) {
      const timedOut = error instanceof ForwardTimeout;
      const failure = `${module.address} runs on node ${holder.node_id}, which could not be reached: ${(error as Error).message}`;
      throw timedOut ? new Error(failure) : new NotReachable(failure);
    }
    let answer: { error?: string; message?: string; result?: unknown } = {};
    try {
      answer = JSON.parse(response.body) as typeof answer;
    } catch {
      // not JSON: the status says enough
    }
    if (response.status >= 200 && response.status < 300) return answer;
    if (answer.error === 'not_here')
      throw new NotReachable(answer.message ?? `${module.address} has left node ${holder.node_id}`);
    // The holder sheds load (its connection caps): as busy as gone for a moment.
    if (response.status === 503 || response.status === 429)
      throw new NotReachable(`node ${holder.node_id} is busy (${response.status}): ${answer.message ?? ''}`);
    if (answer.error === 'invalid_call') throw new ModuleCallInvalid(answer.message ?? 'invalid call');
    throw new Error(answer.message ?? `node ${holder.node_id} answered ${response.status}`);
  }

  /** One POST over the node connections kept open (at most MAX_SOCKETS to a node at once). */
  private send(url: string, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
    const secure = url.startsWith('https:');
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.secret}`,
          },
          timeout: timeoutMs,
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new ForwardTimeout('it did not answer in time')));
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
