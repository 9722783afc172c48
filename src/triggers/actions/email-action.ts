// `email:` sends mail through the configured SMTP server, subject and bodies templated from the run's data.
import type { EmailAction } from '../../config/schema.js';
import { render } from '../template.js';
import type { ActionRunner } from './action-runner.js';

export const emailAction: ActionRunner<EmailAction> = {
  target: (action) => `email ${action.email.to.join(', ')}`,
  async run(action, ctx) {
    if (!ctx.sendMail) throw new Error('email needs a `mail:` section with the SMTP server in the config');
    const text = (value: string | undefined) => (value === undefined ? undefined : String(render(value, ctx.input) ?? ''));
    await ctx.sendMail({
      to: action.email.to,
      cc: action.email.cc,
      subject: text(action.email.subject)!,
      text: text(action.email.text),
      html: text(action.email.html),
    });
  },
};
