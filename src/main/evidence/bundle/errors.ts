/**
 * The one error class for a refused bundle: it names the bundle file and the field (or region) that
 * failed, so an arbiter can tell a truncated download from a forged manifest without a stack trace.
 */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    /** The bundle file (or the output path, for refusals about where to write). */
    readonly bundle: string,
    /** Where in the bundle: 'magic', 'index.entries[3].path', 'manifest.original.score', 'signature', … */
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${bundle}: ${field}: ${detail}`);
  }
}
