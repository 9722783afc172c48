// /healthz (the event loop answers), /readyz (the parts can work, and which config serves) and
// /metrics (Prometheus): what both listeners answer, the trigger URLs' and the admin one.
import type Router from '@koa/router';
import { readinessReport, type ConfigGeneration, type PartReadiness } from './readiness.js';

/** GET /metrics: who may read it (everyone when absent), and the text to answer with. */
export interface MetricsEndpoint {
  allows?(ip: string): boolean;
  text(): Promise<{ contentType: string; body: string }>;
}

export interface ProbeDeps {
  /** Every part of the engine and how it is. */
  readiness(): Record<string, PartReadiness>;
  /** The config generation serving: its number and hash. */
  generation(): ConfigGeneration;
  metrics: MetricsEndpoint;
  /** Answers a caller not allowed to read the metrics as any unknown path is answered. */
  notFound(): never;
}

export function mountProbeRoutes(router: Router, deps: ProbeDeps): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/readyz', (ctx) => {
    const report = readinessReport(deps.readiness(), deps.generation());
    ctx.status = report.ready ? 200 : 503;
    ctx.body = report;
  });
  router.get('/metrics', async (ctx) => {
    // A caller not allowed learns nothing, not even that there are metrics here.
    if (deps.metrics.allows && !deps.metrics.allows(ctx.ip)) deps.notFound();
    const { contentType, body } = await deps.metrics.text();
    ctx.type = contentType;
    ctx.body = body;
  });
}
