/**
 * The api's version: the workspace's `package.json` version, which the image's labels and the
 * Helm chart's `appVersion` carry too (`app-version.spec.ts` and the chart's tests hold them
 * equal). Written here rather than read from a file, as the built api ships without the
 * workspace's `package.json`.
 */
export const APP_VERSION = '0.1.0';
