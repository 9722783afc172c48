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
  /** Emits an event whose source is what the actions run for; resolves to its id (undefined when nothing listens for it). */
  emit(type: string, data: Record<string, unknown>): Promise<string | undefined>;
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

/** What a run's trace keeps of an action beyond its outcome (run_actions.detail). */
export interface ActionDetail {
  /** Its arguments as resolved, when the config's were templated (literal ones are the config's own). */
  args?: unknown;
  /** What the module method returned. */
  result?: unknown;
  /** The event an emit made. */
  event?: string;
  /** What a `respond` action answers a request waiting for its run. */
  response?: RunResponse;
}

export interface RunResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ActionRunner<A extends ActionConfig> {
  /** What the action acts on, for the run record (`Display_1.power`). */
  target(action: A): string;
  /** What it would be called with: its arguments with the templates filled in (a dry run shows this). */
  resolve(action: A, input: TemplateInput): unknown;
  /** Whether its arguments hold templates: only then does a trace keep the resolved ones. */
  templated(action: A): boolean;
  run(action: A, ctx: ActionContext): Promise<ActionDetail | undefined>;
}
