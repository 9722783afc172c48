// Which modules run on this node, where several nodes share a PostgreSQL database. Every
// heartbeat each node reads the live nodes and the module leases: a module stays with the
// live node that holds its lease (no move, no gap while nodes join); a module nobody live
// holds goes to the live node rendezvous hashing picks, which takes its lease
// (ClusterRepo.hold). A module runs here only while this node holds its lease and renews
// it; one whose lease another node took is stopped here (it lost it), and so is every
// module whose lease ran out while this node could not renew it (cut off from the
// database, the others have taken it or will). A module arriving
// here starts from the state its last node stored, and the modules running elsewhere
// follow their stored state, so conditions read the same state on every node.
import type { ModuleHost, Placement } from '../drivers/module-host.js';
import type { ModuleInstance } from '../drivers/module-instance.js';
import type { Logger } from '../logger.js';
import { restoreModuleStates } from '../module-state.js';
import type { ClusterRepo } from '../store/cluster-repo.js';
import type { ModuleStateRepo } from '../store/module-state-repo.js';
import { HEARTBEAT_MS, LIVE_WITHIN_MS } from '../store/node-liveness.js';
import { rendezvous } from './rendezvous.js';
import type { HttpRemoteModules } from './remote-modules.js';

export interface ModulePlacementDeps {
  cluster: ClusterRepo;
  moduleStates: ModuleStateRepo;
  modules: ModuleHost;
  remote: HttpRemoteModules;
  /** This node's id. */
  node: string;
  log: Logger;
}

const nameOf = (m: ModuleInstance) => `${m.systemId}/${m.address}`;

export class ModulePlacement implements Placement {
  /** The modules whose lease this node holds: the lease's epoch, and until when (real time) it was last renewed. */
  private readonly held = new Map<string, { epoch: number; until: number }>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: ModulePlacementDeps) {}

  get remote(): HttpRemoteModules {
    return this.deps.remote;
  }

  here(module: ModuleInstance): boolean {
    return this.held.has(nameOf(module));
  }

  /** How many modules run here (for /readyz). */
  describe(): string {
    return `${this.held.size} of ${this.deps.modules.all().length} modules placed here`;
  }

  /** The first placement (modules placed here start), then one every heartbeat. */
  async start(): Promise<void> {
    await this.place();
    this.timer = setInterval(() => {
      this.round = this.round.then(() =>
        this.place().catch(async (error: Error) => {
          this.deps.log.warn({ reason: error.message }, 'module placement failed this round');
          await this.stopExpired();
        }),
      );
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Stops placing; the modules stop with the engine, and other nodes take their leases once it is stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
    this.deps.remote.close();
  }

  private async place(): Promise<void> {
    const { cluster, modules, node, log } = this.deps;
    const now = Date.now();
    const live = (await cluster.liveNodes(now - LIVE_WITHIN_MS)).map((n) => n.id);
    if (!live.includes(node)) live.push(node);
    const leases = new Map((await cluster.leases()).map((l) => [l.module, l]));
    for (const module of modules.all()) {
      if (this.stopped) return;
      const name = nameOf(module);
      const current = leases.get(name);
      const keptElsewhere =
        current !== undefined && current.node_id !== node && live.includes(current.node_id) && current.lease_until >= now;
      const placed = !keptElsewhere && (current?.node_id === node || rendezvous(live, name) === node);
      const lease = placed ? await cluster.hold(name, node, now, now + LIVE_WITHIN_MS, live) : undefined;
      if (lease) {
        const wasHere = this.held.has(name);
        this.held.set(name, { epoch: lease.epoch, until: now + LIVE_WITHIN_MS });
        if (wasHere && module.status !== 'elsewhere') continue;
        await this.arrive(module);
        if (lease.from !== null && lease.from !== node)
          log.info({ module: name, from: lease.from, epoch: lease.epoch }, 'took over a module from another node');
        else log.info({ module: name, epoch: lease.epoch }, 'module placed on this node');
        continue;
      }
      if (this.held.delete(name)) log.warn({ module: name }, 'module lost its lease to another node; stopped here');
      if (module.status !== 'elsewhere') await module.runsElsewhere(this.deps.remote);
    }
    await this.followStoredState();
  }

  /** Stops the modules whose lease ran out unrenewed: another node may run them now. */
  private async stopExpired(): Promise<void> {
    const now = Date.now();
    for (const module of this.deps.modules.all()) {
      const name = nameOf(module);
      const lease = this.held.get(name);
      if (!lease || lease.until > now) continue;
      this.held.delete(name);
      await module.runsElsewhere(this.deps.remote);
      this.deps.log.warn(
        { module: name, epoch: lease.epoch },
        'module lease ran out unrenewed (the database cannot be reached); stopped here',
      );
    }
  }

  /** A module placed here: from the state its last node stored, then started. */
  private async arrive(module: ModuleInstance): Promise<void> {
    await restoreModuleStates(this.deps.moduleStates, new ModuleHostView([module]), this.deps.log);
    await module.start();
  }

  /** The modules running elsewhere take the state their nodes stored (no change is told: it changed there). */
  private async followStoredState(): Promise<void> {
    const { modules, moduleStates, log } = this.deps;
    const elsewhere = new ModuleHostView(modules.all().filter((m) => m.status === 'elsewhere'));
    if (elsewhere.size > 0) await restoreModuleStates(moduleStates, elsewhere, log);
  }
}

/** A few of the host's modules, as restoreModuleStates finds them. */
class ModuleHostView {
  private readonly byName: Map<string, ModuleInstance>;

  constructor(modules: readonly ModuleInstance[]) {
    this.byName = new Map(modules.map((m) => [nameOf(m), m]));
  }

  get size(): number {
    return this.byName.size;
  }

  find(systemId: string, address: string): ModuleInstance | undefined {
    return this.byName.get(`${systemId}/${address}`);
  }
}
