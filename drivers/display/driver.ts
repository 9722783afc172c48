// A simulated display (power, input, volume) for demos and tests: it keeps state and
// talks to nothing, so a config can be tried before any hardware is wired.
import { defineDriver, z } from '../../src/drivers/api.js';

const INPUTS = ['hdmi1', 'hdmi2', 'displayport', 'usbc', 'tv'] as const;

export const driver = defineDriver({
  name: 'display',
  module: 'Display',
  description: 'A simulated display with power, input and volume, for demos and tests.',
  settings: z.strictObject({
    inputs: z
      .array(z.enum(INPUTS))
      .min(1)
      .default([...INPUTS]),
    default_input: z.enum(INPUTS).default('hdmi1'),
    max_volume: z.number().int().min(1).max(100).default(100),
  }),
  state: z.object({
    power: z.boolean(),
    input: z.string(),
    volume: z.number(),
    mute: z.boolean(),
  }),
  initialState: (settings) => ({ power: false, input: settings.default_input, volume: 30, mute: false }),
  methods: {
    power: {
      description: 'Turns the display on or off.',
      args: z.strictObject({ state: z.boolean() }),
      run: (ctx, { state }) => ctx.setState({ power: state }),
    },
    switch_to: {
      description: 'Selects an input.',
      args: z.strictObject({ input: z.string() }),
      run: (ctx, { input }) => {
        if (!(ctx.settings.inputs as string[]).includes(input))
          throw new Error(`input "${input}" is not one of: ${ctx.settings.inputs.join(', ')}`);
        ctx.setState({ input, power: true });
      },
    },
    volume: {
      description: 'Sets the volume, capped at the max_volume setting.',
      args: z.strictObject({ level: z.number().min(0).max(100) }),
      run: (ctx, { level }) => ctx.setState({ volume: Math.min(level, ctx.settings.max_volume) }),
    },
    mute: {
      description: 'Mutes or unmutes the audio.',
      args: z.strictObject({ state: z.boolean().default(true) }),
      run: (ctx, { state }) => ctx.setState({ mute: state }),
    },
  },
});
