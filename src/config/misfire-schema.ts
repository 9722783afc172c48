// A trigger's misfire policy: what its schedule and `at` times do when they are missed (the
// engine was down, or its timer ran late). `catch_up` is the older spelling, still read.
import { z } from 'zod';
import { durationSchema } from './duration.js';

export const MISFIRE_POLICIES = ['skip', 'once', 'all'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

/** The trigger fields; `resolveMisfire` turns them into the policy the engine reads. */
export const misfireFields = {
  /** A time missed by more than misfire_grace: skip it, fire the latest once, or fire each (bounded). */
  misfire: z.enum(MISFIRE_POLICIES).optional(),
  /** How late a time may still fire as a plain (late) fire, whatever the policy. */
  misfire_grace: durationSchema
    // A timer always runs a little after its time: a grace that small would misfire on-time fires.
    .refine((ms) => ms >= 1_000, 'give a misfire_grace of 1s or more; a timer runs a few milliseconds late')
    .default(60_000),
  /** Deprecated: true is `misfire: once`, false the default. Kept in the output for `check`'s note. */
  catch_up: z.boolean().optional(),
};

/** The policy a trigger's fields ask for; both spellings at once is a problem, added to `ctx`. */
export function resolveMisfire(trigger: { misfire?: MisfirePolicy; catch_up?: boolean }, ctx: z.RefinementCtx): MisfirePolicy {
  if (trigger.misfire !== undefined && trigger.catch_up !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['catch_up'],
      message: 'give misfire or catch_up, not both; catch_up is the old spelling of misfire (catch_up: true is misfire: once)',
    });
  return trigger.misfire ?? (trigger.catch_up ? 'once' : 'skip');
}

/** The note `check` prints for a trigger that still says catch_up. */
export function catchUpNote(catchUp: boolean): string {
  return `catch_up is deprecated; write ${catchUp ? 'misfire: once' : 'nothing (misfire: skip is the default)'} instead`;
}
