// `email:` sends mail through the configured SMTP server, subject and bodies templated from the run's data.
import type { EmailAction } from '../../config/schema.js';
import { isTemplated, render, type TemplateInput } from '../template.js';
import type { ActionRunner } from './action-runner.js';

function message(action: EmailAction, input: TemplateInput) {
  const text = (value: string | undefined) => (value === undefined ? undefined : String(render(value, input) ?? ''));
  return {
    to: action.email.to,
    cc: action.email.cc,
    subject: text(action.email.subject)!,
    text: text(action.email.text),
    html: text(action.email.html),
  };
}

export const emailAction: ActionRunner<EmailAction> = {
  target: (action) => `email ${action.email.to.join(', ')}`,
  resolve: (action, input) => message(action, input),
  templated: (action) => isTemplated(action.email),
  async run(action, ctx) {
    if (!ctx.sendMail) throw new Error('email needs a `mail:` section with the SMTP server in the config');
    const sent = message(action, ctx.input);
    await ctx.sendMail(sent);
    // The trace keeps who it went to and its subject, never its bodies.
    return isTemplated(action.email) ? { args: { to: sent.to, cc: sent.cc, subject: sent.subject } } : undefined;
  },
};
