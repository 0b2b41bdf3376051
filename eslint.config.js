// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/coverage/**', 'docs/api/**', '**/node_modules/**', '**/.data/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Relaxed from strictTypeChecked for numbers and booleans only: in a message they read the
      // same as their String(). Nullish values, any, never and regexps stay errors (the rule's
      // own defaults would allow them again, so they are spelled out).
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowAny: false, allowNullish: false, allowNever: false, allowRegExp: false },
      ],
      // Relaxed for `() => log.error(…)`-style callbacks, where the shorthand is idiomatic; a void
      // value used as data or returned from a block body stays an error.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.test.ts', '**/__tests__/**', '**/bench/**', 'scripts/**', 'examples/**'],
    rules: {
      // vitest's asymmetric matchers (`expect.objectContaining(…)`, `expect.stringContaining(…)`) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Tests index data they arranged themselves (`rows[1]!`) or a `beforeAll` assigned: a wrong `!` fails loudly.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Benches, scripts and examples report on the console.
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
);
