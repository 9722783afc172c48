// The trigger URL: runs DESIGN.md's checks in order, each a plain function that passes the
// request on or ends it with an outcome; then fires the trigger's actions or dispatches
// into a module (exec). Effects live here only: reading the body, the fire's commit, the
// module call, and the request log, written in one place (a fire's row commits with its run).
import type { RouterContext } from '@koa/router';
import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import type { Clock } from '../clock.js';
import type { ModuleHost } from '../drivers/module-host.js';
import { EngineError, InternalError, StoreUnavailable } from '../errors.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import { redact } from '../redact.js';
import type { CommitGuard, Refusal, RequestLogRow, UnitOfWork } from '../store/writes.js';
import { UNKNOWN_INSTANCE, type Telemetry } from '../telemetry.js';
import type { ConditionNow } from '../triggers/conditions/condition-watcher.js';
import { debounceGuard, idempotencyGuard } from '../triggers/fire-guards.js';
import type { InstanceCatalog, TriggerInstance } from '../triggers/instance-catalog.js';
import { conditionsTrace } from '../triggers/run-trace.js';
import type { RunAnswer } from '../triggers/run-answers.js';
import type { TriggerFirer } from '../triggers/trigger-firer.js';
import type { TemplateInput } from '../triggers/template.js';
import { checkMethod } from './checks/check-method.js';
import { checkRate } from './checks/check-rate.js';
import { checkSignature } from './checks/check-signature.js';
import { execTarget, type ExecTarget } from './checks/exec-target.js';
import { findInstance } from './checks/find-instance.js';
import { parseBody } from './checks/parse-body.js';
import { dispatchExec } from './exec-dispatch.js';
import { instanceIdOf, type InboundRequest } from './inbound-request.js';
import { loggedHeaders, loggedPath, queryWithoutSecret, storedBody } from './logged-request.js';
import { requestMediaKind } from './media-kind.js';
import { answerOutcome } from './answer-outcome.js';
import { refusal, type Outcome } from './outcome.js';
import type { RateLimiter } from './rate-limiter.js';
import { readBody } from './read-body.js';
import { requestKey } from './request-key.js';
import { compileRedactPaths, NO_PATHS, withHeaders, type RedactPaths } from './redact-paths.js';
import { signatureHeadersOf } from './signatures/index.js';

export interface InboundLimits {
  bodyLimit: number;
  jsonDepth: number;
  /** The server's deadline for a whole request: a body cut off past it was answered 408 by Node. */
  requestTimeoutMs: number;
}

/** What a request is checked and fired against: the config generation serving as it arrived. */
export interface ServingConfig {
  catalog: InstanceCatalog;
  /** Whether an instance's compare conditions hold now (webhooks fire only then). */
  conditions: { holds(instance: TriggerInstance): boolean; explain(instance: TriggerInstance): ConditionNow[] };
}

export interface NotifyRouteDeps {
  /** The generation serving now; read once per request, so a reload meanwhile changes nothing for it. */
  generation(): ServingConfig;
  firer: TriggerFirer;
  modules: ModuleHost;
  store: UnitOfWork;
  /** The storage fault the store's last commit met, if it has not recovered yet. */
  storeFault(): string | undefined;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  telemetry: Telemetry;
  limits: InboundLimits;
  /** Where rate limits are counted: in memory on SQLite, in the database where nodes share it. */
  rateLimiter: RateLimiter;
}

/** What was read of the body on the way, for the log. */
interface BodySeen {
  raw?: Buffer;
  parsed?: unknown;
  /** The headers as the run and the log keep them, once redacted. */
  headers?: Record<string, unknown>;
  /** The trigger's own `redact` paths, once the instance is known. */
  paths?: RedactPaths;
  /** The trigger says `log_body: none`: its bodies are not kept. */
  noBody?: boolean;
  /** The log row keeps the body as it arrived (nothing in it needed redacting). */
  asReceived?: boolean;
}

/** The outcome, and whether its log row is already committed (a fire's is, with its run). */
interface Handled {
  outcome: Outcome;
  logged?: boolean;
}

const NOT_FIRED = (reason: 'conditions' | 'debounced' | 'busy', detail?: string): Outcome => ({
  status: 202,
  body: { fired: false, reason },
  code: reason,
  reason: detail,
});

/** A sender's retry of a request that fired: nothing fires, and the answer names the first run. */
const duplicate = (run: string, windowMs: number): Outcome => ({
  status: 202,
  body: { fired: false, reason: 'duplicate', run },
  code: 'duplicate',
  reason: `idempotency key seen within ${windowMs} ms; first run ${run}`,
  runId: run,
});

export class NotifyRoute {
  constructor(private readonly deps: NotifyRouteDeps) {}

  /** The Koa handler for one route pattern (the pattern says which path segment is the secret). */
  handlerFor(route: string): (ctx: RouterContext) => Promise<void> {
    return (ctx) => this.handle(ctx, route);
  }

  private async handle(ctx: RouterContext, route: string): Promise<void> {
    const started = performance.now();
    const serving = this.deps.generation();
    const request = describe(ctx, route, this.deps.clock.now());
    const seen: BodySeen = {};
    let handled: Handled;
    try {
      handled = await this.process(ctx, request, seen, started, serving);
    } catch (error) {
      handled = { outcome: this.unexpected(error, request) };
    }
    const outcome = handled.logged ? handled.outcome : await this.record(request, handled.outcome, seen, started);
    const instanceId = instanceIdOf(request);
    this.deps.telemetry.requestHandled(
      serving.catalog.get(instanceId) ? instanceId : UNKNOWN_INSTANCE,
      outcome.code,
      (performance.now() - started) / 1000,
    );
    ctx.status = outcome.status;
    if (outcome.headers) ctx.set(outcome.headers);
    if (outcome.body !== undefined) ctx.body = outcome.body;
  }

  private async process(
    ctx: RouterContext,
    request: InboundRequest,
    seen: BodySeen,
    started: number,
    serving: ServingConfig,
  ): Promise<Handled> {
    const { deps } = this;
    const found = findInstance(serving.catalog, request); // 1–2
    if ('refused' in found) {
      // The same line for every reason, so the log's cost says nothing either.
      deps.log.warn({ instance: instanceIdOf(request), ip: request.clientIp }, 'trigger URL refused: not found or wrong secret');
      return { outcome: found.refused };
    }
    const instance = found.passed;
    seen.paths = this.redactPathsOf(instance);
    seen.noBody = instance.trigger.log_body === 'none';
    const wrongMethod = checkMethod(instance.trigger, request.method); // 3
    if (wrongMethod) return { outcome: wrongMethod };
    if (instance.trigger.rate_limit) {
      const limited = await this.limit(instance, request); // 4: 429
      if (limited) return { outcome: limited };
    }
    const read = await readBody(ctx.req, deps.limits.bodyLimit); // 5: 413, 415
    if ('refused' in read) return { outcome: this.timedOut(read.refused, started) };
    seen.raw = read.passed;
    const badSignature = checkSignature(instance.trigger, request.headers, seen.raw, deps.clock.now()); // 5: 401
    if (badSignature) return { outcome: badSignature };
    const parsed = parseBody(seen.raw, request.mediaKind, deps.limits.jsonDepth); // 5: 400
    if ('refused' in parsed) return { outcome: parsed.refused };
    seen.parsed = parsed.passed.parsed;
    const target = execTarget(request, instance, deps.modules); // 6
    if ('refused' in target) return { outcome: target.refused };
    if (target.passed) {
      // 7: exec is never debounced: the module always gets the request (Meraki validates, then posts).
      const answer = await this.exec(request, seen, target.passed);
      // As in PlaceOS the same request also notifies the trigger, when it has actions to run.
      if (answer.code !== 'exec' || instance.trigger.actions.length === 0) return { outcome: answer };
      return this.fire(request, seen, instance, started, serving, answer);
    }
    return this.fire(request, seen, instance, started, serving); // 9–10
  }

  private async exec(request: InboundRequest, seen: BodySeen, target: ExecTarget): Promise<Outcome> {
    try {
      const answer = await dispatchExec(
        target.module,
        target.method,
        {
          method: request.method,
          path: loggedPath(request),
          query: queryWithoutSecret(request.query),
          headers: request.headers,
          rawBody: seen.raw!,
          body: seen.parsed,
        },
        this.deps,
      );
      if (answer) return { status: answer.status ?? 200, headers: answer.headers, body: answer.body ?? '', code: 'exec' };
      return { status: 202, body: { accepted: true, module: target.module.address, method: target.method }, code: 'exec' };
    } catch (error) {
      // ModuleFailed or ModuleTimeout: the caller learns which method, the log also learns why.
      if (!(error instanceof EngineError)) throw error;
      const why = error.cause instanceof Error ? `${error.message} ${error.cause.message}` : error.message;
      return refusal(error, why);
    }
  }

  /**
   * Fires the trigger's actions, if its conditions hold and its mode takes another run (8),
   * committing the run with the request's log row (10) under its guards, which the store
   * decides in that commit: the sender's idempotency key, then the debounce window (9).
   * After an exec, `answered` is the module's answer: it stays the answer whatever the fire
   * comes to, and the log row records both (the run, or why nothing fired).
   */
  private async fire(
    request: InboundRequest,
    seen: BodySeen,
    instance: TriggerInstance,
    started: number,
    serving: ServingConfig,
    answered?: Outcome,
  ): Promise<Handled> {
    const { deps } = this;
    const { trigger } = instance;
    const notFired = (outcome: Outcome): Outcome =>
      answered ? { ...answered, reason: `not fired: ${outcome.code}${outcome.reason ? ` (${outcome.reason})` : ''}` } : outcome;
    // A trigger with conditions fires on a request only while they hold; its windows and keys are left alone.
    if (!serving.conditions.holds(instance)) return { outcome: notFired(NOT_FIRED('conditions')) };
    const raw = seen.raw!;
    const input = {
      method: request.method,
      body: seen.parsed ?? (raw.length > 0 ? raw.toString('utf8') : null),
      query: queryWithoutSecret(request.query),
      headers: (seen.headers = redact(request.headers) as Record<string, unknown>),
    };
    const at = deps.clock.now();
    const guards = this.guards(instance, input, request.headers, at);
    const accepted: Outcome = answered ?? { status: 202, body: undefined, code: 'fired' };
    const row = this.row(request, accepted, seen, started);
    const summary = {
      method: request.method,
      path: row.path,
      content_type: request.headers['content-type'] ?? null,
      body_size: raw.length,
    };
    const refusedBy = (refusal: Refusal): Outcome =>
      notFired(
        refusal.guard === 'idempotency'
          ? duplicate(refusal.run!, trigger.idempotency!.window)
          : NOT_FIRED('debounced', `inside the ${trigger.debounce} ms debounce window`),
      );
    try {
      const result = await deps.firer.fire(
        instance,
        input,
        'webhook',
        {
          id: row.id,
          receivedAt: row.received_at,
          summary,
          keepsBody: seen.asReceived === true,
          also: (runId) => [{ kind: 'request', row: { ...row, run_id: runId } }],
          ...(guards && { guards }),
          // The guards are decided in the fire's commit; when one refuses, this row commits instead.
          refused: (refusal) => [{ kind: 'request', row: this.row(request, refusedBy(refusal), seen, started) }],
          ...(trigger.respond === 'wait' && !answered && { waitsMs: trigger.respond_timeout }),
        },
        undefined,
        // Only a trigger with compare conditions has values to keep: a plain fire writes no trace.
        instance.hasCompares ? conditionsTrace(serving.conditions.explain(instance)) : undefined,
      );
      if (!result.fired)
        return result.reason === 'busy'
          ? { outcome: notFired(NOT_FIRED('busy', result.detail)) }
          : { outcome: refusedBy(result.refusal), logged: true };
      if (result.answer) return { outcome: await this.awaitAnswer(row, result.run, result.answer, started), logged: true };
      const body = answered ? answered.body : { fired: true, run: result.run };
      return { outcome: { ...accepted, body, runId: result.run }, logged: true };
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      deps.log.error({ instance: instance.id, fault: error.fault }, 'fire not committed: the store is unavailable');
      // After an exec the module has acted: its answer stands; the log row follows as it can.
      return {
        outcome: answered
          ? { ...answered, reason: `not fired: ${error.fault}` }
          : refusal(error, `not committed: ${error.fault}`),
      };
    }
  }

  /** What the fire commits under, given its run: the sender's idempotency key, then the debounce window; none for most triggers. */
  private guards(
    instance: TriggerInstance,
    input: TemplateInput,
    headers: InboundRequest['headers'],
    at: number,
  ): ((runId: string) => CommitGuard[]) | undefined {
    const { idempotency, debounce_key, debounce } = instance.trigger;
    if (!idempotency && debounce <= 0) return undefined;
    // Keys read the request as it came: headers unredacted (a delivery id is no secret), the query without the secret.
    const keyInput = { ...input, headers };
    const key = idempotency && requestKey(idempotency.key, keyInput);
    if (idempotency && key === undefined)
      this.deps.log.warn(
        { instance: instance.id, key: idempotency.key },
        'request without its idempotency key: handled as a new one',
      );
    const debounced = debounceGuard(
      instance,
      at,
      debounce_key === undefined ? undefined : (requestKey(debounce_key, keyInput) ?? ''),
    );
    return (runId) => [
      ...(key === undefined ? [] : [idempotencyGuard(instance, key, runId, at)]),
      ...(debounced ? [debounced] : []),
    ];
  }

  /**
   * `respond: wait`: the run's answer, or 202 when none came within respond_timeout (the run
   * goes on). The log row, committed with the run as 202, is brought up to what was answered.
   */
  private async awaitAnswer(
    row: RequestLogRow,
    runId: string,
    answer: Promise<RunAnswer | undefined>,
    started: number,
  ): Promise<Outcome> {
    const outcome = answerOutcome(runId, await answer);
    if (outcome.status !== 202) {
      const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      this.deps.store
        .commit([{ kind: 'request_answered', id: row.id, status: outcome.status, outcome: outcome.code, latencyMs }])
        .catch((error: Error) =>
          this.deps.log.warn({ request: row.id, reason: error.message }, 'the answer a waiting request got was not recorded'),
        );
    }
    return outcome;
  }

  /** Check 4, counted where the store says (a storage fault on PostgreSQL is a 503 like any other). */
  private async limit(instance: TriggerInstance, request: InboundRequest): Promise<Outcome | undefined> {
    try {
      return await checkRate(instance, request, this.deps.rateLimiter, this.deps.clock.now());
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      return refusal(error, `rate limit not decided: ${error.fault}`);
    }
  }

  /**
   * Writes the request's log row. A 2xx promises that the request was recorded: when the
   * row cannot be committed it becomes 503 (an exec keeps its module's answer: the module
   * has already acted). Any other answer keeps its status; while the store is known to be
   * unavailable it does not wait for its row (a refusal or a 503 would otherwise hold its
   * connection for a whole lock_wait), and the engine log says when a row is lost.
   */
  private async record(request: InboundRequest, outcome: Outcome, seen: BodySeen, started: number): Promise<Outcome> {
    const promisesRecord = outcome.status >= 200 && outcome.status < 300 && outcome.code !== 'exec';
    const written = this.deps.store
      .commit([{ kind: 'request', row: this.row(request, outcome, seen, started) }])
      .then(() => undefined)
      .catch((error: unknown) => {
        this.deps.log.error(
          { instance: instanceIdOf(request), status: outcome.status, outcome: outcome.code, reason: (error as Error).message },
          'request log row not written',
        );
        return error;
      });
    if (!promisesRecord && this.deps.storeFault() !== undefined) return outcome;
    const error = await written;
    if (error === undefined || !promisesRecord) return outcome;
    return error instanceof StoreUnavailable
      ? refusal(error, `not committed: ${error.fault}`)
      : refusal(new InternalError(error));
  }

  private row(request: InboundRequest, outcome: Outcome, seen: BodySeen, started: number): RequestLogRow {
    const paths = seen.paths ?? NO_PATHS;
    // Whole, and as it arrived unless something in it must be redacted (see storedBody);
    // the log cuts it at log_body_limit where it shows it.
    const body = seen.noBody ? null : storedBody(seen.raw, seen.parsed, request.mediaKind, paths.body);
    seen.asReceived = body?.asReceived === true;
    return {
      id: this.deps.ids.next('req'),
      instance_id: instanceIdOf(request),
      received_at: request.receivedAt,
      method: request.method,
      path: loggedPath(request, paths),
      headers:
        seen.headers && paths.headers.length === 0 ? JSON.stringify(seen.headers) : loggedHeaders(request.headers, paths.headers),
      body: body?.body ?? null,
      body_size: seen.raw?.length ?? 0,
      body_truncated: 0,
      status: outcome.status,
      outcome: outcome.code,
      run_id: outcome.runId ?? null,
      latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      reason: outcome.reason ?? null,
      client_ip: request.clientIp || null,
    };
  }

  /** By trigger as configured: a reload that changes a trigger's `redact` gets its own. */
  private readonly compiledPaths = new WeakMap<TriggerInstance['trigger'], RedactPaths>();

  private redactPathsOf(instance: TriggerInstance): RedactPaths {
    let paths = this.compiledPaths.get(instance.trigger);
    if (!paths) {
      const { redact, signature } = instance.trigger;
      paths = withHeaders(compileRedactPaths(redact), signatureHeadersOf(signature));
      this.compiledPaths.set(instance.trigger, paths);
    }
    return paths;
  }

  /** A body cut off by request_timeout: the caller was answered 408 by Node, and the log says so. */
  private timedOut(outcome: Outcome, started: number): Outcome {
    const { requestTimeoutMs } = this.deps.limits;
    if (outcome.code !== 'body_incomplete' || requestTimeoutMs <= 0 || performance.now() - started < requestTimeoutMs)
      return outcome;
    const reason = `the body did not arrive within request_timeout (${requestTimeoutMs} ms)`;
    return { status: 408, body: { error: 'request_timeout', message: reason }, code: 'request_timeout', reason };
  }

  /** A fault of ours, not the caller's: logged in full here, a bare 500 for the caller. */
  private unexpected(error: unknown, request: InboundRequest): Outcome {
    this.deps.log.error({ err: error, instance: instanceIdOf(request) }, 'unexpected error while handling a trigger URL');
    return refusal(new InternalError(error), 'unexpected error; see the engine log');
  }
}

function describe(ctx: RouterContext, route: string, receivedAt: number): InboundRequest {
  const mediaKind = requestMediaKind(ctx.req);
  return {
    method: ctx.method,
    route,
    params: ctx.params,
    // node:querystring parses to the same shape as ctx.query (a repeated name gives an array) at a fraction of its cost.
    query: parseQuery(ctx.querystring),
    headers: ctx.headers,
    clientIp: ctx.ip,
    mediaKind,
    receivedAt,
  };
}
