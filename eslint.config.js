'use strict';
// eslint for the shim (node_shim/), run by `make test`: the recommended rules everywhere, and in
// the modules that run inside the traced app the saved-built-ins discipline of
// lib/primordials.js, as far as syntax shows it. eslint is installed in tools/lint/ (a separate
// npm folder: the wheel ships node_shim/node_modules, never the linter).

const path = require('path');

const lint = (name) => require(path.join(__dirname, 'tools', 'lint', 'node_modules', name));
const js = lint('@eslint/js');
const globals = lint('globals');

// Built-ins an app may replace, which the shim reaches through lib/primordials.js instead.
const SAVED = [
  ['JSON', 'stringify', 'JSONStringify, or toJSON for data the shim built'],
  ['JSON', 'parse', 'JSONParse'],
  ['Object', 'keys', 'ObjectKeys'],
  ['Object', 'assign', 'ObjectAssign'],
  ['Object', 'create', 'ObjectCreate'],
  ['Object', 'getPrototypeOf', 'ObjectGetPrototypeOf'],
  ['Object', 'getOwnPropertyDescriptor', 'ObjectGetOwnPropertyDescriptor'],
  ['Object', 'defineProperty', 'ObjectDefineProperty'],
  ['Reflect', 'apply', 'ReflectApply'],
  ['Reflect', 'ownKeys', 'ReflectOwnKeys'],
  ['Array', 'isArray', 'ArrayIsArray'],
  ['Math', 'min', 'MathMin'],
  ['Math', 'max', 'MathMax'],
];
// Prototype methods an app may replace: called uncurried (`ArrayPrototypePush(list, x)`).
const METHODS = [
  'push', 'pop', 'shift', 'unshift', 'splice', 'slice', 'join', 'map', 'filter', 'forEach',
  'includes', 'indexOf', 'concat', 'reduce', 'some', 'every', 'find', 'findIndex', 'sort',
  'get', 'set', 'has', 'add', 'delete', 'call', 'apply', 'bind', 'startsWith', 'endsWith',
  'split', 'trim', 'replace', 'test', 'exec', 'charCodeAt', 'lastIndexOf',
];

module.exports = [
  {
    ignores: ['**/node_modules/**', 'tools/**', 'jitflux/**', 'corpus/**', 'examples/**', 'bench/**', 'tests/**'],
  },
  {
    files: ['node_shim/**/*.js', 'eslint.config.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'commonjs',
      globals: { ...globals.node },
    },
    rules: {
      ...js.configs.recommended.rules,
      // A catch that ignores its error is how the shim stays out of the app's way.
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The modules that run inside the app while it serves. The transform (instrument.js,
    // instrument-esm.js, syntax.js, effects.js and its effect-*.js, esm-exports.js, edits.js) runs with the saved
    // built-ins put back (pristine); primordials.js saves them; run/ is `jitflux run`, which
    // records nothing.
    files: ['node_shim/lib/**/*.js', 'node_shim/index.js'],
    ignores: [
      'node_shim/lib/instrument.js', 'node_shim/lib/instrument-esm.js', 'node_shim/lib/syntax.js',
      'node_shim/lib/effects.js', 'node_shim/lib/effect-calls.js', 'node_shim/lib/effect-instances.js',
      'node_shim/lib/effect-scopes.js', 'node_shim/lib/effect-syntax.js', 'node_shim/lib/edits.js',
      'node_shim/lib/esm-exports.js',
      'node_shim/lib/primordials.js',
    ],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: 'ForOfStatement', message: 'iterates through an iterator the app may replace: use an index loop' },
        { selector: ':not(ObjectExpression) > SpreadElement', message: 'spreads through an iterator the app may replace' },
        { selector: 'ArrayPattern', message: 'destructures through an iterator the app may replace' },
      ],
      'no-restricted-properties': ['error',
        ...SAVED.map(([object, property, instead]) => ({ object, property, message: `the app may replace it: use ${instead} from primordials.js` })),
        ...METHODS.map((property) => ({
          property,
          // Not an array or a string: Node's path module, Express 3's route map, an effect site's data.
          allowObjects: ['path', 'self', 'm'],
          message: 'the app may replace it: use the uncurried method from primordials.js',
        })),
      ],
    },
  },
];
