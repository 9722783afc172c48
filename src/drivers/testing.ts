// The driver test kit: the one entry a driver's test imports besides the driver API. It runs
// a driver as the engine does, with a manual clock and everything it emits captured.
export { ManualClock } from './testing/manual-clock.js';
export {
  startDriver,
  type CapturedEvent,
  type CapturedLog,
  type DriverUnderTest,
  type SettingsOf,
  type StartOptions,
  type StateChangeOf,
  type WebhookCall,
} from './testing/start-driver.js';
/** The error a call the caller got wrong (unknown method, bad arguments) rejects with, as in the engine. */
export { ModuleCallInvalid } from './module-instance.js';
