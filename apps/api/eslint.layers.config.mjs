/**
 * The api's folders in layers, bottom first: a file may import its own layer and those below,
 * never one above, so every import points down (DESIGN.md, "Layers that point down"). Folders of
 * one layer do not import each other's insides beyond what they share.
 */
export const API_LAYERS = [
  ['shared'], // the types every feature shares: principal, limits, store usage, database location
  ['redis'], // the one Redis client and its command timeout
  ['config'], // settings, validated once
  ['tracing'], // spans (OpenTelemetry's SDK, loaded only when configured), handed down explicitly
  ['common', 'database'], // cross-cutting HTTP pieces; the database connection
  ['metrics'],
  ['limits'],
  ['models'], // model providers, routing, retries
  ['audit', 'usage'], // the audit trail; usage rows and their reports
  ['budgets'], // budgets in money, read against the usage rows
  ['auth'],
  ['streams'], // stream store, generations, delivery
  ['health', 'conversations', 'openai-compat', 'admin'],
  ['chat'],
  ['app'], // the composition of the HTTP app: prefix, web app, error filter, OpenAPI document
];

/** One `no-restricted-imports` block per layer: nothing from the folders above it. */
export default API_LAYERS.flatMap((layer, index) => {
  const above = API_LAYERS.slice(index + 1).flat();
  if (above.length === 0) return [];
  return [
    {
      files: layer.map((folder) => `src/${folder}/**/*.ts`),
      ignores: ['src/**/*.spec.ts', 'src/**/*.contract.ts', 'src/**/testing/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(\\.\\./)+(${above.join('|')})(/|$)`,
                message: `${layer.join(', ')} may only import from its own layer and those below (apps/api/eslint.layers.config.mjs).`,
              },
            ],
          },
        ],
      },
    },
  ];
});
