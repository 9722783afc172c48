// Every migration, in order. Add a new file and a line here; never edit a landed migration.
import type { Migration } from 'kysely';
import * as initial from './001_initial.js';
import * as outbound from './002_outbound.js';
import * as schedules from './003_schedules.js';
import * as requestReasons from './004_request_reasons.js';
import * as instanceStatus from './005_instance_status.js';
import * as retentionIndexes from './006_retention_indexes.js';
import * as leanRuns from './007_lean_runs.js';
import * as runsById from './008_runs_by_id.js';
import * as requestLogByTime from './009_request_log_by_time.js';
import * as moduleState from './010_module_state.js';
import * as nodes from './011_nodes.js';
import * as sharedWindows from './012_shared_windows.js';
import * as leases from './013_leases.js';
import * as moduleLeases from './014_module_leases.js';
import * as overrides from './015_overrides.js';
import * as traces from './016_traces.js';
import * as claimTimes from './017_claim_times.js';
import * as keysAndLimits from './018_keys_and_limits.js';
import * as moduleDiagnostics from './019_module_diagnostics.js';

export const migrations: Record<string, Migration> = {
  '001_initial': initial,
  '002_outbound': outbound,
  '003_schedules': schedules,
  '004_request_reasons': requestReasons,
  '005_instance_status': instanceStatus,
  '006_retention_indexes': retentionIndexes,
  '007_lean_runs': leanRuns,
  '008_runs_by_id': runsById,
  '009_request_log_by_time': requestLogByTime,
  '010_module_state': moduleState,
  '011_nodes': nodes,
  '012_shared_windows': sharedWindows,
  '013_leases': leases,
  '014_module_leases': moduleLeases,
  '015_overrides': overrides,
  '016_traces': traces,
  '017_claim_times': claimTimes,
  '018_keys_and_limits': keysAndLimits,
  '019_module_diagnostics': moduleDiagnostics,
};
