// ESLint for the page (web/) and its Node unit tests (tests/js/): the recommended rules, each file with the globals it runs with.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', '.venv/', 'exported/', 'runs/', 'benchmarks/'] },
  js.configs.recommended,
  {
    // The page's modules: ES2022 in the browser; TF.js arrives as the global `tf` of its UMD build.
    files: ['web/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, tf: 'readonly' },
    },
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // boot.js runs first as a classic ES5 script, so it can report browsers that cannot run modules.
    files: ['web/boot.js'],
    languageOptions: { ecmaVersion: 5, sourceType: 'script' },
    rules: { 'no-var': 'off', 'prefer-const': 'off' },
  },
  {
    files: ['tests/js/**/*.mjs', 'tests/node/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
];
