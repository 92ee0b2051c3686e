/** Signed evidence bundles (docs/decisions/bundles.md). */
export { BundleError } from './errors.ts';
export { generateSigningKey, loadSigningKey, publicKeyFingerprint, publicKeyPem, type SigningKey } from './keys.ts';
export { BUNDLE_FORMAT, BUNDLE_LIMITS } from './container.ts';
export { manifestSchema, type BundleManifest } from './manifest.ts';
export { exportBundle, type ExportRequest, type ExportedBundle } from './export.ts';
export { importBundle, verifyBundle, type ImportBundleOptions, type ImportedBundle, type SignerInfo, type VerifiedBundle, type VerifyBundleOptions } from './import.ts';
