// The repositories every store reads through: the same Kysely queries on either backend.
import type { Kysely } from 'kysely';
import { ClusterRepo } from './cluster-repo.js';
import { ConfigRepo } from './config-repo.js';
import { ModuleStateRepo } from './module-state-repo.js';
import { NodesRepo } from './nodes-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { OverridesRepo } from './overrides-repo.js';
import { RequestLogRepo } from './request-log-repo.js';
import { RunsRepo } from './runs-repo.js';
import { ScheduleRepo } from './schedule-repo.js';
import { SecretsRepo } from './secrets-repo.js';
import type { Tables } from './tables.js';

export interface Repositories {
  readonly secrets: SecretsRepo;
  readonly requests: RequestLogRepo;
  readonly runs: RunsRepo;
  readonly outbox: OutboxRepo;
  readonly schedules: ScheduleRepo;
  readonly moduleStates: ModuleStateRepo;
  readonly nodes: NodesRepo;
  readonly cluster: ClusterRepo;
  readonly overrides: OverridesRepo;
  readonly configs: ConfigRepo;
}

export function repositories(db: Kysely<Tables>): Repositories {
  return {
    secrets: new SecretsRepo(db),
    requests: new RequestLogRepo(db),
    runs: new RunsRepo(db),
    outbox: new OutboxRepo(db),
    schedules: new ScheduleRepo(db),
    moduleStates: new ModuleStateRepo(db),
    nodes: new NodesRepo(db),
    cluster: new ClusterRepo(db),
    overrides: new OverridesRepo(db),
    configs: new ConfigRepo(db),
  };
}
