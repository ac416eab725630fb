import baseConfig from '../../eslint.config.mjs';
import typedConfig from '../../eslint.typed.config.mjs';

export default [
  ...baseConfig,
  ...typedConfig(import.meta.dirname),
  {
    // Platform-neutral: both a browser and Node run this code, so neither's own globals may appear.
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
              message: 'stream-client runs in browsers too: no Node built-in modules.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location'].map(
          (name) => ({ name, message: 'stream-client runs outside browsers too.' }),
        ),
        ...['process', 'Buffer', 'require', '__dirname', 'global', 'setImmediate'].map((name) => ({
          name,
          message: 'stream-client runs in browsers too.',
        })),
      ],
    },
  },
  {
    files: ['**/*.json'],
    rules: {
      '@nx/dependency-checks': [
        'error',
        { ignoredFiles: ['{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}'] },
      ],
    },
    languageOptions: { parser: await import('jsonc-eslint-parser') },
  },
];
