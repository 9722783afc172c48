// When a node counts as live: it writes a heartbeat every HEARTBEAT_MS (real time), and one
// whose last is older than LIVE_WITHIN_MS has stopped writing them (killed, or cut off from
// the database). What it held (delivery leases, runs, modules) then passes to live nodes.
export const HEARTBEAT_MS = 5_000;
export const LIVE_WITHIN_MS = 3 * HEARTBEAT_MS;
