// Entry point that runs the CLI with the process's arguments (bin/switchboard.js loads the built copy).
import { main } from './main.js';

// `switchboard urls | head -1` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await main(process.argv.slice(2));
