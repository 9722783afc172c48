// Next fire times of a cron expression (with seconds and a time zone), from node-cron.
// node-cron's own scheduler keeps a timer per task on the real clock; we only ask it for
// the next matching time after a given instant, so one timer on the engine's clock
// (which tests replace) serves every schedule.
import { createTask } from 'node-cron';

interface Matcher {
  getNextMatch(date: Date): Date;
}

export function cronTimes(expression: string, timezone: string | undefined): (afterMs: number) => number {
  const task = createTask(expression, () => {}, { timezone });
  // node-cron 4 keeps the matcher on the task; its public getNextRun() reads the system clock.
  const matcher = (task as unknown as { timeMatcher?: Matcher }).timeMatcher;
  if (!matcher || typeof matcher.getNextMatch !== 'function')
    throw new Error('this node-cron version does not expose its time matcher; pin node-cron 4');
  // The task itself is never started; out of node-cron's registry it can be collected.
  void task.destroy();
  // node-cron 4.6's matcher answers the first match strictly after the given second (asking
  // from the next second, as this did, skipped one: an every-second schedule fired every other
  // second, an every-minute one started at :59 waited two minutes). Asked from afterMs's own
  // second, and from the next one should a version answer "at or after" instead.
  return (afterMs) => {
    const second = Math.floor(afterMs / 1000) * 1000;
    const next = matcher.getNextMatch(new Date(second)).getTime();
    return next > afterMs ? next : matcher.getNextMatch(new Date(second + 1000)).getTime();
  };
}
