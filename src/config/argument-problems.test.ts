// A call's constant arguments against the method's schema: wrong types and unknown names are
// told; what a whole template expression gives is left to the run.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { argumentProblems, type TemplateUse } from './argument-problems.js';

/** The template syntax as the triggers define it, enough for these cases. */
const templateUse = (text: string): TemplateUse =>
  /^\{\{[^{}]*\}\}$/.test(text) ? 'whole' : /\{\{[^{}]*\}\}/.test(text) ? 'inside' : 'none';

const problems = (args: Record<string, unknown>, schema: z.ZodType) =>
  argumentProblems(args, schema, templateUse).map(({ path, message }) => `${path.join('.')}  ${message}`);

const power = z.strictObject({ state: z.boolean() });
const input = z.strictObject({ input: z.enum(['hdmi1', 'hdmi2']), label: z.string().optional() });

describe('argumentProblems', () => {
  it('accepts arguments the method takes', () => {
    expect(problems({ state: true }, power)).toEqual([]);
  });

  it('names the argument and what it expects', () => {
    expect(problems({ state: 'yes' }, power)).toEqual(['state  state: expected boolean, received string']);
    expect(problems({ input: 'vga' }, input)).toEqual(['input  input: Invalid option: expected one of "hdmi1"|"hdmi2"']);
  });

  it('names an unknown argument with the one it is likely meant to be, and not also the missing one', () => {
    expect(problems({ sate: true }, power)).toEqual(['sate  Unrecognized key: "sate"; did you mean "state"?']);
  });

  it('lists the arguments there are when an unknown one is like none of them', () => {
    expect(problems({ state: true, colour: 'red' }, power)).toEqual(['colour  Unrecognized key: "colour"; known keys: state']);
  });

  it('says a missing argument is missing', () => {
    expect(problems({}, power)).toEqual(['state  state is missing (expected boolean)']);
  });

  it('leaves the type of a whole template expression to the run, but still checks the other arguments', () => {
    expect(problems({ state: '{{ body.on }}' }, power)).toEqual([]);
    expect(problems({ input: '{{ body.input }}', label: 5, extra: 1 }, input)).toEqual([
      'extra  Unrecognized key: "extra"; known keys: input, label',
      'label  label: expected string, received number',
    ]);
  });

  it('takes text around an expression as a string: its type is checked, not its value', () => {
    expect(problems({ state: 'on: {{ body.on }}' }, power)).toEqual(['state  state: expected boolean, received string']);
    expect(problems({ input: 'hdmi{{ body.n }}' }, input)).toEqual([]);
  });

  it('leaves checks above a whole expression to the run too', () => {
    const nested = z.strictObject({ target: z.strictObject({ level: z.number() }).refine((t) => t.level < 10, 'too loud') });
    expect(problems({ target: { level: '{{ body.level }}' } }, nested)).toEqual([]);
    expect(problems({ target: { level: 20 } }, nested)).toEqual(['target  target: too loud']);
  });
});
