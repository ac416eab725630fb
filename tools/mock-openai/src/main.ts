import { cliUsage, parseCliArgs } from './lib/cli-args';
import { MockOptionsError } from './lib/mock-options';
import { startMockOpenAi } from './lib/mock-openai-server';

/** Command-line entry: starts the mock, prints its base URL, stops on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = parseCliArgs(process.argv.slice(2));
  if (config.help) {
    process.stdout.write(cliUsage());
    return;
  }
  const mock = await startMockOpenAi({ ...config.options, port: config.port, host: config.host });
  // Exactly one line, so a script can read the URL with `head -n 1`.
  process.stdout.write(`mock-openai listening on ${mock.url}\n`);

  const stop = (): void => {
    // A second signal while closing falls back to Node's default handler and kills the process.
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    mock.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`mock-openai: error while closing: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof MockOptionsError) {
    process.stderr.write(`mock-openai: ${error.message}\n\n${cliUsage()}`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`mock-openai: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
