// The trigger URL: checks a request in DESIGN.md's order, then fires the trigger's
// actions or dispatches into a module (exec). Every request, accepted or refused,
// lands in the request log; a fire is committed before the 202 goes out.
import type { RouterContext } from '@koa/router';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { WebhookRequest } from '../drivers/api.js';
import type { ModuleHost } from '../drivers/module-host.js';
import {
  BadRequest,
  errorResponse,
  ExecForbidden,
  MethodNotAllowed,
  ModuleMethodNotFound,
  SignatureInvalid,
  TriggerNotFound,
} from '../errors.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { RequestLogEntry } from '../store/request-log-repo.js';
import type { Store } from '../store/store.js';
import type { Debouncer } from '../triggers/debouncer.js';
import type { InstanceCatalog, TriggerInstance } from '../triggers/instance-catalog.js';
import type { TriggerFirer } from '../triggers/trigger-firer.js';
import { dispatchExec } from './exec-dispatch.js';
import { readBody, type ReadBody } from './read-body.js';
import { bodyForLog, queryWithoutSecret, redactHeaders, redactUrl } from './redact.js';
import { signatureSchemes } from './signatures/index.js';

export interface NotifyDeps {
  catalog: InstanceCatalog;
  store: Store;
  debouncer: Debouncer;
  firer: TriggerFirer;
  /** Whether an instance's compare conditions hold now (webhooks fire only then). */
  conditionsHold(instance: TriggerInstance): boolean;
  modules: ModuleHost;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  bodyLimit: number;
  logBodyLimit: number;
}

type Outcome = Pick<RequestLogEntry, 'status' | 'outcome' | 'run_id'> & { body: unknown; headers?: Record<string, string> };

const MODULE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class NotifyHandler {
  constructor(private readonly deps: NotifyDeps) {}

  readonly middleware = async (ctx: RouterContext): Promise<void> => {
    const started = performance.now();
    const headers = redactHeaders(ctx.headers);
    const entry: RequestLogEntry = {
      id: this.deps.ids.next('req'),
      instance_id: String(ctx.params.trigger ?? '').slice(0, 200),
      received_at: this.deps.clock.now(),
      method: ctx.method,
      path: redactUrl(ctx.path, ctx.querystring, ctx.params.secret),
      headers: JSON.stringify(headers),
      body: null,
      body_size: 0,
      body_truncated: 0,
      status: 0,
      outcome: '',
      run_id: null,
      latency_ms: 0,
    };
    const finish = (status: number, outcome: string) => {
      entry.status = status;
      entry.outcome = outcome;
      entry.latency_ms = Math.round((performance.now() - started) * 1000) / 1000;
    };
    try {
      const result = await this.process(ctx, entry, headers, finish);
      ctx.status = result.status;
      for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
      if (result.body !== undefined) ctx.body = result.body;
    } catch (error) {
      const { status, body } = errorResponse(error);
      finish(status, body.error);
      await this.deps.store.requests
        .insert(entry)
        .catch((e: unknown) => this.deps.log.error({ reason: (e as Error).message }, 'request log write failed'));
      throw error;
    }
  };

  private async process(
    ctx: RouterContext,
    entry: RequestLogEntry,
    headers: Record<string, string | string[]>,
    finish: (status: number, outcome: string) => void,
  ): Promise<Outcome> {
    const { deps } = this;
    // 1-2: unknown, disabled, webhooks off or wrong secret all answer the same 404.
    const instance = deps.catalog.get(entry.instance_id);
    const secret = ctx.params.secret ?? first(ctx.query.secret);
    if (!instance || !instance.reachable) throw new TriggerNotFound();
    if (!secret || !deps.catalog.secretMatches(instance, secret)) {
      deps.log.warn({ instance: instance.id, ip: ctx.ip }, 'trigger called with a missing or wrong secret');
      throw new TriggerNotFound();
    }
    // 3: method.
    const { trigger } = instance;
    if (!(trigger.methods as string[]).includes(ctx.method)) throw new MethodNotAllowed(ctx.method, trigger.methods);
    // 4: body size, syntax, provider signature.
    const body = await readBody(ctx, deps.bodyLimit);
    const logged = bodyForLog(body.raw, body.parsed, body.isJson, deps.logBodyLimit);
    entry.body = logged.body;
    entry.body_size = body.raw.length;
    entry.body_truncated = logged.truncated ? 1 : 0;
    if (trigger.signature) {
      await signatureSchemes[trigger.signature.scheme]
        .verify(trigger.signature.secret, { headers: ctx.headers, rawBody: body.raw })
        .catch((error: Error) => {
          throw new SignatureInvalid(error.message);
        });
    }
    // 5: exec.
    const exec = ctx.params.mod !== undefined || first(ctx.query.exec) === 'true';
    const target = exec ? this.execTarget(ctx, instance) : undefined;
    // A trigger with conditions fires on a request only while they hold; the debounce window is left alone.
    if (!target && !deps.conditionsHold(instance)) {
      finish(202, 'conditions');
      await deps.store.requests.insert(entry);
      return { status: 202, outcome: 'conditions', run_id: null, body: { fired: false, reason: 'conditions' } };
    }
    // 6: debounce.
    if (!deps.debouncer.admit(instance.id, trigger.debounce, trigger.debounce_mode)) {
      finish(202, 'debounced');
      await deps.store.requests.insert(entry);
      return { status: 202, outcome: 'debounced', run_id: null, body: { fired: false, reason: 'debounced' } };
    }
    // 7: exec answers with the module's response; a fire commits its run, then answers.
    if (target) return this.exec(ctx, entry, body, target, finish);
    return this.fire(ctx, entry, body, headers, instance, finish);
  }

  private execTarget(
    ctx: RouterContext,
    instance: TriggerInstance,
  ): { module: NonNullable<ReturnType<ModuleHost['find']>>; method: string } {
    if (!instance.config.exec) throw new ExecForbidden();
    const mod = ctx.params.mod ?? first(ctx.query.mod);
    const method = ctx.params.method ?? first(ctx.query.method);
    const index = ctx.params.index ?? first(ctx.query.index) ?? '1';
    if (!mod) throw new BadRequest('missing_parameter', 'exec needs the `mod` parameter: the module name, such as Display.');
    if (!method) throw new BadRequest('missing_parameter', 'exec needs the `method` parameter: the module method to call.');
    if (!MODULE_NAME.test(mod))
      throw new BadRequest('bad_parameter', '`mod` must be a module name of letters and digits, such as Display.');
    if (!METHOD_NAME.test(method))
      throw new BadRequest('bad_parameter', '`method` must be a method name of letters, digits and _.');
    if (!/^[1-9]\d{0,5}$/.test(index)) throw new BadRequest('bad_parameter', '`index` must be a whole number from 1.');
    const address = `${mod}_${index}`;
    const module = this.deps.modules.find(instance.config.system, address);
    if (!module) throw new ModuleMethodNotFound(`System ${instance.config.system} has no module ${address}.`);
    if (!module.hasWebhook(method)) throw new ModuleMethodNotFound(`${address} has no webhook method "${method}".`);
    return { module, method };
  }

  private async exec(
    ctx: RouterContext,
    entry: RequestLogEntry,
    body: ReadBody,
    target: ReturnType<NotifyHandler['execTarget']>,
    finish: (status: number, outcome: string) => void,
  ): Promise<Outcome> {
    const request: WebhookRequest = {
      method: ctx.method,
      path: entry.path,
      query: queryWithoutSecret(ctx.query),
      headers: ctx.headers,
      rawBody: body.raw,
      body: body.parsed,
    };
    const answer = await dispatchExec(target.module, target.method, request, this.deps);
    const result: Outcome = answer
      ? { status: answer.status ?? 200, headers: answer.headers, body: answer.body ?? '', outcome: 'exec', run_id: null }
      : {
          status: 202,
          body: { accepted: true, module: target.module.address, method: target.method },
          outcome: 'exec',
          run_id: null,
        };
    finish(result.status, 'exec');
    await this.deps.store.requests.insert(entry);
    return result;
  }

  private async fire(
    ctx: RouterContext,
    entry: RequestLogEntry,
    body: ReadBody,
    headers: Record<string, string | string[]>,
    instance: TriggerInstance,
    finish: (status: number, outcome: string) => void,
  ): Promise<Outcome> {
    const input = {
      method: ctx.method,
      body: body.parsed ?? (body.raw.length > 0 ? body.raw.toString('utf8') : null),
      query: queryWithoutSecret(ctx.query),
      headers,
    };
    finish(202, 'fired');
    const summary = {
      method: ctx.method,
      path: entry.path,
      content_type: ctx.get('content-type') || null,
      body_size: body.raw.length,
    };
    const result = await this.deps.firer.fire(instance, input, 'webhook', { entry, summary });
    if (result.fired) return { status: 202, outcome: 'fired', run_id: result.run, body: { fired: true, run: result.run } };
    finish(202, 'busy');
    await this.deps.store.requests.insert(entry);
    return { status: 202, outcome: 'busy', run_id: null, body: { fired: false, reason: 'busy' } };
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
