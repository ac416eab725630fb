/**
 * For libraries both a browser and Node run (the protocol, the typed client): neither's own
 * globals nor Node's built-in modules may appear outside their tests.
 */
export default function platformNeutralConfig(library) {
  return [
    {
      files: ['src/**/*.ts'],
      ignores: ['src/**/*.spec.ts'],
      rules: {
        // Nx's module boundaries do not see Node's built-in modules as dependencies; ban them here.
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex:
                  '^(node:.*|fs|path|http|https|net|stream|crypto|buffer|util|events|os|child_process|url|zlib)(/.*)?$',
                message: `${library} runs in browsers too: no Node built-in modules.`,
              },
            ],
          },
        ],
        'no-restricted-globals': [
          'error',
          ...['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location'].map(
            (name) => ({ name, message: `${library} runs outside browsers too.` }),
          ),
          ...['process', 'Buffer', 'require', '__dirname', 'global', 'setImmediate'].map(
            (name) => ({
              name,
              message: `${library} runs in browsers too.`,
            }),
          ),
        ],
      },
    },
  ];
}
