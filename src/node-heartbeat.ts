// This engine as a node of its database: its row in `nodes`, written when it starts and every
// few seconds while it runs (with the config generation it serves then), and marked stopped
// when it stops. Off the request path: nothing waits for a heartbeat, and one the store
// refuses is only logged (the next one tries again). Liveness is real time, not the engine's
// clock: a test that moves the engine's clock by a month must not write 500,000 heartbeats,
// and a node is live while it really runs.
import { hostname } from 'node:os';
import type { ModuleDiagnostics } from './drivers/module-diagnostics.js';
import type { Logger } from './logger.js';
import type { UnitOfWork } from './store/writes.js';

import { HEARTBEAT_MS } from './store/node-liveness.js';

export interface NodeHeartbeatDeps {
  store: UnitOfWork;
  /** This engine's id among the nodes (given at start: its runs and leases carry it). */
  node: string;
  log: Logger;
  /** The config generation serving now. */
  generation(): { number: number; hash: string };
  /** The modules that run here as an operator sees them (`switchboard modules`). */
  modules?(): readonly ModuleDiagnostics[];
}

export class NodeHeartbeat {
  readonly id: string;
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  /** The module diagnostics its row holds, as last written. */
  private writtenModules: string | undefined;
  /** Where its listener answers: '' until it listens (the node is live before, so its runs stay its own). */
  private url = '';

  constructor(private readonly deps: NodeHeartbeatDeps) {
    this.id = deps.node;
    this.startedAt = Date.now();
  }

  /** The first heartbeat (a store that cannot take it fails the start), then one every HEARTBEAT_MS. */
  async start(): Promise<void> {
    await this.deps.store.commit([this.seen()]);
    this.next();
  }

  /** Its listener answers at `url` now: told at once, so other nodes can forward calls to it; resolves once written. */
  listensAt(url: string): Promise<void> {
    this.url = url;
    return this.beat();
  }

  /** A heartbeat now (a reload changed the generation it serves), besides the regular ones; resolves once written (or refused). */
  beat(): Promise<void> {
    this.beating = this.beating.then(() => this.write());
    return this.beating;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.beating;
    await this.deps.store
      .commit([{ kind: 'node_stopped', id: this.id, at: Date.now() }])
      .catch((error: Error) => this.deps.log.warn({ node: this.id, reason: error.message }, 'node stop not recorded'));
  }

  private next(): void {
    this.timer = setTimeout(() => {
      void this.beat();
      this.next();
    }, HEARTBEAT_MS);
    // The engine's listener keeps the process alive; a heartbeat alone must not.
    this.timer.unref();
  }

  private write(): Promise<void> {
    const modules = this.deps.modules ? JSON.stringify(this.deps.modules()) : null;
    // Unchanged diagnostics are not written again every 5 s (null keeps the row's): a site's
    // modules are the bulk of the row, and they rarely change.
    const changed = modules === this.writtenModules ? null : modules;
    return this.deps.store.commit([this.seen(changed)]).then(
      () => void (this.writtenModules = modules ?? undefined),
      (error: Error) => this.deps.log.warn({ node: this.id, reason: error.message }, 'node heartbeat not recorded'),
    );
  }

  private seen(modules: string | null = null) {
    const { number, hash } = this.deps.generation();
    return {
      kind: 'node_seen' as const,
      row: {
        id: this.id,
        host: hostname(),
        pid: process.pid,
        url: this.url,
        generation: number,
        config_hash: hash,
        started_at: this.startedAt,
        seen_at: Date.now(),
        modules,
      },
    };
  }
}
