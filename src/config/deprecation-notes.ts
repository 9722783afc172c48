// Settings that still work but have a newer spelling: `check` prints each as a note with
// where it was written, so an operator can move on before the old spelling goes.
import { catchUpNote } from './misfire-schema.js';
import type { ConfigPath, Problem } from './problems.js';
import type { Config } from './schema.js';

export function deprecationNotes(config: Config, locate: (path: ConfigPath, message: string) => Problem): Problem[] {
  const notes: Problem[] = [];
  config.triggers.forEach((trigger, i) => {
    if (trigger.catch_up !== undefined) notes.push(locate(['triggers', i, 'catch_up'], catchUpNote(trigger.catch_up)));
  });
  return notes;
}
