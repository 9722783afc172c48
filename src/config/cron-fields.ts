// Checks a cron expression part by part and says in English what is wrong: node-cron's own
// check lets through day names such as FRIDAY inside a range (it replaces names anywhere in the
// text) and words its refusals as "61 is a invalid expression for minute". What passes here is
// still checked by node-cron, which runs the schedules, so nothing passes that it would not run.
import { createTask, validateDetailed } from 'node-cron';

interface Field {
  name: string;
  min: number;
  max: number;
  /** Three-letter names for the values from `min` (JAN is 1, SUN is 0). */
  names?: readonly string[];
  /** What else the field takes: day of month L, L-3, 15W, LW; day of week 5L, 1#2, and ? for either. */
  special?: (item: string) => Special | undefined;
}

/** What a field's own syntax made of an item: fine, or the sentence saying what is wrong. */
type Special = { ok: true } | { problem: string };
const OK: Special = { ok: true };
const problem = (text: string): Special => ({ problem: text });

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const MINUTE: Field = { name: 'minute', min: 0, max: 59 };
const HOUR: Field = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: Field = { name: 'day of month', min: 1, max: 31, special: dayOfMonthSpecial };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: Field = { name: 'day of week', min: 0, max: 7, names: DAYS, special: dayOfWeekSpecial };

const WITH_SECONDS = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** What is wrong with `expression`, one sentence per wrong part; empty when node-cron can run it as written. */
export function cronProblems(expression: string): string[] {
  const text = expression.trim();
  if (text.startsWith('@'))
    return NICKNAMES.includes(text.toLowerCase())
      ? []
      : [`${text} is not a cron nickname; use one of ${NICKNAMES.join(', ')}, or write the fields`];
  if (/[^\S ]/.test(text)) return ['separate the fields of a schedule with spaces, not tabs or line breaks'];
  const parts = text === '' ? [] : text.split(/ +/);
  if (parts.length !== 5 && parts.length !== 6)
    return [
      `a schedule has 5 fields (minute hour day-of-month month day-of-week), or 6 with the second first; this one has ${parts.length}`,
    ];
  const fields = parts.length === 6 ? WITH_SECONDS : WITH_SECONDS.slice(1);
  const problems = parts.flatMap((part, i) => fieldProblems(fields[i]!, part));
  if (problems.length > 0) return problems;
  const refused = schedulerProblems(expression);
  if (refused.length > 0) return refused;
  const [dayOfMonth, month, dayOfWeek] = parts.slice(-3) as [string, string, string];
  return mayNeverFire(dayOfMonth, dayOfWeek) && neverFires(expression)
    ? [
        `no day is day of month ${dayOfMonth}, month ${month} and day of week ${dayOfWeek} at once (all three must match), so this schedule never fires`,
      ]
    : [];
}

function fieldProblems(field: Field, part: string): string[] {
  if (part === '?') return field.special ? [] : [`${field.name} "?" is for day of month or day of week only; write *`];
  return part.split(',').flatMap((item) => itemProblems(field, item) ?? []);
}

function itemProblems(field: Field, item: string): string | undefined {
  const special = field.special?.(item);
  if (special) return 'problem' in special ? special.problem : undefined;
  const [range, step, ...more] = item.split('/');
  if (more.length > 0 || range === undefined) return notAnItem(field, item);
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return notAnItem(field, item);
    const span = field === DAY_OF_WEEK ? 6 : field.max - field.min;
    if (Number(step) < 1 || Number(step) > span) return `${field.name} step ${step} is out of range 1-${span}`;
    if (range !== '*' && !range.includes('-'))
      return `${field.name} "${item}": a step follows a range or *, such as ${range}-${field.max}/${step} or */${step}`;
  }
  if (range === '*') return undefined;
  const ends = range.split('-');
  if (ends.length > 2 || ends.some((end) => end === '')) return notAnItem(field, item);
  for (const end of ends) {
    const problem = valueProblem(field, end, item);
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(field: Field, value: string, item: string): string | undefined {
  if (/^\d+$/.test(value)) {
    const number = Number(value);
    return number < field.min || number > field.max ? `${field.name} ${value} is out of range ${rangeText(field)}` : undefined;
  }
  if (!/^[A-Za-z]+$/.test(value)) return notAnItem(field, item);
  if (!field.names) return `${field.name} "${value}" is not a number; write ${rangeText(field)}`;
  if (field.names.includes(value.toUpperCase())) return undefined;
  const noun = field === MONTH ? 'month' : 'day';
  const short = field.names.find((name) => value.toUpperCase().startsWith(name));
  if (short)
    return `${field.name} "${value}" is not a ${noun} name; write ${short} (${noun} names are three letters: ${field.names.join(' ')})`;
  return `${field.name} "${value}" is not a ${noun} name; write one of ${field.names.join(' ')}, or ${rangeText(field)}`;
}

function notAnItem(field: Field, item: string): string {
  return `${field.name} "${item}" is not a value, a range (1-5), a step (*/15) or a list (1,3,5)`;
}

function rangeText(field: Field): string {
  if (field === DAY_OF_WEEK) return '0-7 (0 and 7 are Sunday)';
  return `${field.min}-${field.max}`;
}

/** L (last day), L-3 (three days before it), 15W (the weekday nearest the 15th), LW (the last weekday). */
function dayOfMonthSpecial(item: string): Special | undefined {
  if (/^(L|LW)$/i.test(item)) return OK;
  const before = /^L-(\d+)$/i.exec(item);
  if (before)
    return Number(before[1]) >= 1 && Number(before[1]) <= 30 ? OK : problem(`day of month "${item}": L-n takes n in 1-30`);
  const weekday = /^(\d+)W$/i.exec(item);
  if (weekday)
    return Number(weekday[1]) >= 1 && Number(weekday[1]) <= 31 ? OK : problem(`day of month "${item}": nW takes n in 1-31`);
  return undefined;
}

/** 5L (the last Friday of the month), 1#2 (its second Monday). */
function dayOfWeekSpecial(item: string): Special | undefined {
  if (/^[0-7]L$/i.test(item)) return OK;
  const nth = /^(\d+)#(\d+)$/.exec(item);
  if (!nth) return undefined;
  if (Number(nth[1]) > 7) return problem(`day of week ${nth[1]} is out of range ${rangeText(DAY_OF_WEEK)}`);
  return Number(nth[2]) >= 1 && Number(nth[2]) <= 5 ? OK : problem(`day of week "${item}": the week of the month is 1-5`);
}

/** node-cron's own refusals of what passed the checks above (such as 31 in February only), in English. */
function schedulerProblems(expression: string): string[] {
  const result = validateDetailed(expression);
  if (result.valid) return [];
  return result.errors.map((error) => {
    const impossible = /^(\S+) (\S+) is an impossible day of month/.exec(error.message);
    if (impossible) return `day of month ${impossible[1]} never comes in month ${impossible[2]}`;
    return `the scheduler cannot run this schedule (${error.field}: ${error.message.replace(' a invalid ', ' an invalid ')})`;
  });
}

/** Days must match both day fields (node-cron ANDs them), and L, W and # days fall on some days only. */
function mayNeverFire(dayOfMonth: string, dayOfWeek: string): boolean {
  const any = (field: string) => field === '*' || field === '?';
  return (!any(dayOfMonth) && !any(dayOfWeek)) || /[LW#]/i.test(dayOfMonth + dayOfWeek);
}

/** Whether node-cron finds no time for it in the next 100 years; asked only of the few that may never fire. */
function neverFires(expression: string): boolean {
  const task = createTask(expression, () => undefined);
  try {
    task.getNextRuns(1);
    return false;
  } catch {
    return true;
  } finally {
    void task.destroy();
  }
}
