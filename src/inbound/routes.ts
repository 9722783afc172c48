// The trigger URL forms, also under PlaceOS's `/api/engine/v2` prefix so URLs made
// for PlaceOS keep working. Each form is mounted with its pattern, so the handler knows
// which parameter is the secret.
import type Router from '@koa/router';
import type { NotifyRoute } from './notify-route.js';

const PREFIXES = ['', '/api/engine/v2'];
const FORMS = [
  '/webhook/:trigger/notify', // secret (and exec parameters) in the query
  '/webhook/:trigger/notify/:secret', // fire, secret in the path
  '/webhook/:trigger/notify/:secret/:mod/:index/:method', // exec, all in the path
];

export function mountNotifyRoutes(router: Router, notify: NotifyRoute): void {
  for (const prefix of PREFIXES) for (const form of FORMS) router.all(`${prefix}${form}`, notify.handlerFor(`${prefix}${form}`));
}
