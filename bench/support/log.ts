// Progress lines for the benches, on stderr so that stdout holds only the report.

export function log(message: string): void {
  console.error(message);
}
