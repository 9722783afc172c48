// A logged request as an operator reads it (`switchboard log --json`, the admin API): its
// headers parsed, its body redacted by the trigger's `redact` paths and cut at
// log_body_limit (the log keeps it whole, for resumed runs and replay).
import type { Config } from '../config/schema.js';
import { compileRedactPaths, NO_PATHS, type RedactPaths } from '../inbound/redact-paths.js';
import { shownBody } from '../inbound/stored-body.js';
import type { RequestLogRow } from '../store/request-log-repo.js';

export type RequestView = Omit<RequestLogRow, 'headers' | 'body'> & { headers: unknown; body: string | null };

/** Shows rows of the request log under `config`'s redact paths and body limit. */
export function requestViewer(config: Config): (row: RequestLogRow) => RequestView {
  const pathsOf = redactPathsByInstance(config);
  return (row) => {
    const shown = shownBody(row, config.server.log_body_limit, pathsOf(row.instance_id));
    return {
      ...row,
      headers: JSON.parse(row.headers) as unknown,
      body: shown.body?.toString('utf8') ?? null,
      body_truncated: shown.truncated || row.body_truncated === 1 ? 1 : 0,
    };
  };
}

/** Each instance's trigger's `redact` paths; none for an instance the config does not have (any more). */
function redactPathsByInstance(config: Config): (instanceId: string) => RedactPaths {
  const triggers = new Map(config.triggers.map((t) => [t.id, t]));
  const paths = new Map(config.instances.map((i) => [i.id, compileRedactPaths(triggers.get(i.trigger)?.redact ?? [])]));
  return (instanceId) => paths.get(instanceId) ?? NO_PATHS;
}
