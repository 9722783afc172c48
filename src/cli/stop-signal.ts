// SIGTERM and SIGINT as a promise. Listen before announcing anything: a supervisor may
// signal as soon as it reads "listening", and a signal with no handler kills the process
// without draining.
export function stopSignal(): { received: Promise<string>; dispose(): void } {
  let signalled: (signal: string) => void = () => {};
  const received = new Promise<string>((resolve) => (signalled = resolve));
  const onSignal = (signal: string) => signalled(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    received,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
