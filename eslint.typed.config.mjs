import tseslint from 'typescript-eslint';

/**
 * Type-aware rules for the Node and shared code (api, libs, tools, e2e): a promise nobody awaits
 * is how streams leak and errors vanish, so it is an error.
 */
export default function typedConfig(tsconfigRootDir) {
  return [
    {
      files: ['**/*.ts'],
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-misused-promises': 'error',
        '@typescript-eslint/await-thenable': 'error',
        '@typescript-eslint/no-explicit-any': 'error',
      },
    },
  ];
}
