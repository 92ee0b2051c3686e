/** What a CLI command gets: output streams, a cancellation signal, and the --json switch. */
export interface CliContext {
  out: (line: string) => void;
  log: (line: string) => void;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
  json: boolean;
}
