// The clock the engine's suites move by hand: the driver test kit's ManualClock (`advance`
// runs the timers that fall due, in order), under the name these suites have always used.
export { ManualClock as FakeClock } from '../../src/drivers/testing/manual-clock.js';
