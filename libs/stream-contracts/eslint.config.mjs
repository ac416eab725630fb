import baseConfig from '../../eslint.config.mjs';
import platformNeutralConfig from '../../eslint.platform-neutral.config.mjs';
import typedConfig from '../../eslint.typed.config.mjs';

export default [
  ...baseConfig,
  ...typedConfig(import.meta.dirname),
  ...platformNeutralConfig('stream-contracts'),
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
