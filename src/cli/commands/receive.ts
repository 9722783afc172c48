// `switchboard receive`: a local webhook receiver for integrators, like the sample
// receivers webhook senders publish. It checks each POST's Standard Webhooks signature,
// prints the events, and answers --status (after failing the first --fail valid requests
// with 500, to rehearse retries). Runs until SIGINT or SIGTERM.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { intOption, UsageError, type OptionValues } from '../options.js';
import { stopSignal } from '../stop-signal.js';

const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
/** Bodies over this are refused with 413: a receiver under test has no use for more. */
const BODY_LIMIT = 10 * 1024 * 1024;

export const options = {
  port: { type: 'string', short: 'p', value: 'P' },
  secret: { type: 'string', multiple: true, value: 'whsec_…' },
  status: { type: 'string', value: 'N' },
  fail: { type: 'string', value: 'N' },
  host: { type: 'string', value: 'H' },
} as const;

export async function receive(values: OptionValues<typeof options>): Promise<number> {
  const settings = receiveSettings(values);
  const stop = stopSignal();

  const receiver = new LocalReceiver(settings);
  const server = createServer((req, res) => void receiver.handle(req, res));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    stop.dispose();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const failing = settings.fail > 0 ? `; the first ${settings.fail} valid request${settings.fail === 1 ? '' : 's'} get 500` : '';
  console.log(`listening on http://${host}:${port}`);
  console.log(
    `checking Standard Webhooks signatures with ${settings.secrets.length} secret${settings.secrets.length === 1 ? '' : 's'}; answering ${settings.status}${failing}; Ctrl-C stops`,
  );

  const signal = await stop.received;
  stop.dispose();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  console.log(
    `stopped (${signal}) after ${receiver.valid} valid and ${receiver.invalid} invalid request${receiver.invalid === 1 ? '' : 's'}`,
  );
  return 0;
}

interface ReceiveSettings {
  host: string;
  port: number;
  secrets: string[];
  verifiers: Webhook[];
  status: number;
  fail: number;
}

function receiveSettings(values: OptionValues<typeof options>): ReceiveSettings {
  const port = intOption(values, 'port');
  if (port === undefined) throw new UsageError('receive needs --port P (0 picks a free port)');
  if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}`);
  const secrets = values.secret ?? [];
  if (secrets.length === 0)
    throw new UsageError(
      "receive needs --secret whsec_… (the subscription's signing secret; `switchboard subscriptions` shows it)",
    );
  const verifiers = secrets.map((secret) => {
    const problem = `--secret must be a Standard Webhooks secret: whsec_ followed by base64, as \`switchboard subscriptions\` shows it`;
    if (!WHSEC.test(secret)) throw new UsageError(problem);
    try {
      return new Webhook(secret);
    } catch {
      throw new UsageError(problem);
    }
  });
  const status = intOption(values, 'status') ?? 200;
  if (status < 200 || status > 599) throw new UsageError(`--status must be an HTTP status from 200 to 599, not ${status}`);
  return { host: values.host ?? '127.0.0.1', port, secrets, verifiers, status, fail: intOption(values, 'fail') ?? 0 };
}

class LocalReceiver {
  valid = 0;
  invalid = 0;

  constructor(private readonly settings: ReceiveSettings) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = new Date().toISOString();
    const where = `${req.method ?? '?'} ${req.url ?? '/'}`;
    if (req.method !== 'POST') {
      console.log(`${time}  ${where}  ignored: webhooks arrive as POST (answered 405)`);
      req.resume();
      return answer(res, 405, 'webhooks are POSTed\n', { allow: 'POST' });
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      console.log(`${time}  ${where}  ${(error as Error).message} (answered 413)`);
      return answer(res, 413, 'body too large\n', { connection: 'close' });
    }
    const headers = flatHeaders(req);
    const messageId = headers['webhook-id'] ?? '(none)';
    const failure = this.verify(body, headers);
    if (failure !== undefined) {
      this.invalid += 1;
      console.log(`${time}  ${where}  invalid signature: ${failure}  webhook-id ${messageId}  (answered 401)`);
      return answer(res, 401, 'invalid signature\n');
    }
    this.valid += 1;
    const status = this.valid <= this.settings.fail ? 500 : this.settings.status;
    const why = this.valid <= this.settings.fail ? `, failing on purpose ${this.valid} of ${this.settings.fail}` : '';
    console.log(`${time}  ${where}  webhook-id ${messageId}  signature ok  (answered ${status}${why})`);
    for (const line of describeBody(body.toString('utf8'))) console.log(line);
    answer(res, status, status >= 300 ? 'failing on purpose\n' : 'ok\n');
  }

  /** Undefined when one of the secrets verifies the body, else why none did. */
  private verify(body: Buffer, headers: Record<string, string>): string | undefined {
    let reason = 'no matching signature';
    for (const verifier of this.settings.verifiers) {
      try {
        verifier.verify(body.toString('utf8'), headers, { jsonParse: false });
        return undefined;
      } catch (error) {
        reason = (error as Error).message;
      }
    }
    return reason;
  }
}

/** The events of a body, each as a header line and its data as indented JSON. */
function describeBody(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [`  body (not JSON): ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`];
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  const lines: string[] = [];
  if (Array.isArray(parsed)) lines.push(`  batch of ${events.length} event${events.length === 1 ? '' : 's'}`);
  for (const event of events) {
    if (!event || typeof event !== 'object') {
      lines.push(`  ${JSON.stringify(event)}`);
      continue;
    }
    const envelope = event as Record<string, unknown>;
    const { id, type, created, attempt } = envelope;
    // An envelope shows its data; anything else is shown whole.
    const isEnvelope = 'type' in envelope && 'data' in envelope;
    lines.push(
      isEnvelope
        ? `  ${String(type)}  id ${String(id ?? '-')}  created ${String(created ?? '-')}  attempt ${String(attempt ?? '-')}`
        : '  (not an event envelope)',
    );
    for (const line of JSON.stringify(isEnvelope ? envelope.data : envelope, null, 2).split('\n')) lines.push(`    ${line}`);
  }
  return lines;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(' ') : value;
  }
  return headers;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        req.pause();
        reject(new Error(`body over ${BODY_LIMIT} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
