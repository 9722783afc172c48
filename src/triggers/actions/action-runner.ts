// The interface every action kind implements; each kind lives in its own file.
import type { Clock } from '../../clock.js';
import type { ActionConfig } from '../../config/schema.js';
import type { ModuleHost } from '../../drivers/module-host.js';
import type { TemplateInput } from '../template.js';

export interface ActionContext {
  /** The system the actions run for; absent for a subscription that listens at a zone or everywhere. */
  systemId: string | undefined;
  input: TemplateInput;
  modules: ModuleHost;
  /** Emits an event whose source is what the actions run for. */
  emit(type: string, data: Record<string, unknown>): Promise<void>;
  clock: Clock;
  /** Sends mail through the configured SMTP server; absent when the config has no `mail:`. */
  sendMail?(message: MailMessage): Promise<void>;
}

export interface MailMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text?: string;
  html?: string;
}

export interface ActionRunner<A extends ActionConfig> {
  /** What the action acts on, for the run record (`Display_1.power`). */
  target(action: A): string;
  run(action: A, ctx: ActionContext): Promise<void>;
}
