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
/** A TCP device on a local port that a test scripts: what it must receive, what it answers. */
export { fakeDevice, type FakeDevice, type FakeDeviceOptions } from './testing/fake-device.js';
/** A pass-through to any TCP peer that records both directions into a fixture. */
export { recordSession, type SessionRecorder, type RecordedChunk } from './testing/session-recorder.js';
