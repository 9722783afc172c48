// Check 6: whether the request asks for exec and, if so, which module method it reaches.
// `exec` is true/1 or false/0 in any case (anything else is 400); mod and method must be
// given and well formed (400); the instance must allow exec (403, where PlaceOS skips
// silently: a silent skip would hide a misconfiguration); the module and its
// webhook-capable method must exist (404).
import { BadRequest, ExecForbidden, ModuleMethodNotFound } from '../../errors.js';
import type { ModuleHost } from '../../drivers/module-host.js';
import type { ModuleInstance } from '../../drivers/module-instance.js';
import type { TriggerInstance } from '../../triggers/instance-catalog.js';
import { first, type InboundRequest } from '../inbound-request.js';
import { refusal, type Outcome } from '../outcome.js';
import { pass, refuse, type Checked } from './checked.js';

export interface ExecTarget {
  module: ModuleInstance;
  method: string;
}

const MODULE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX = /^[1-9]\d{0,5}$/;

/** The module method an exec request reaches; undefined when the request is a plain fire. */
export function execTarget(
  request: InboundRequest,
  instance: TriggerInstance,
  modules: ModuleHost,
): Checked<ExecTarget | undefined> {
  const { params, query } = request;
  const asked = params.mod !== undefined ? 'true' : first(query.exec)?.toLowerCase();
  if (asked === undefined || asked === 'false' || asked === '0') return pass(undefined);
  if (asked !== 'true' && asked !== '1') return bad('bad_parameter', '`exec` must be true, 1, false or 0.');
  const mod = params.mod ?? first(query.mod);
  const method = params.method ?? first(query.method);
  const index = params.index ?? first(query.index) ?? '1';
  if (!mod) return bad('missing_parameter', 'exec needs the `mod` parameter: the module name, such as Display.');
  if (!method) return bad('missing_parameter', 'exec needs the `method` parameter: the module method to call.');
  if (!MODULE_NAME.test(mod)) return bad('bad_parameter', '`mod` must be a module name of letters and digits, such as Display.');
  if (!METHOD_NAME.test(method)) return bad('bad_parameter', '`method` must be a method name of letters, digits and _.');
  if (!INDEX.test(index)) return bad('bad_parameter', '`index` must be a whole number from 1.');
  if (!instance.config.exec) return refuse(refusal(new ExecForbidden()));
  const address = `${mod}_${index}`;
  const module = modules.find(instance.config.system, address);
  if (!module) return refuse(refusal(new ModuleMethodNotFound(`System ${instance.config.system} has no module ${address}.`)));
  if (!module.hasWebhook(method))
    return refuse(refusal(new ModuleMethodNotFound(`${address} has no webhook method "${method}".`)));
  return pass({ module, method });
}

function bad(code: string, message: string): { refused: Outcome } {
  return refuse(refusal(new BadRequest(code, message)));
}
