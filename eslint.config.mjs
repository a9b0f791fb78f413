// Lint: typescript-eslint's recommended rules plus Nx module boundaries. Tags live in each
// package.json ("nx": {"tags": [...]}); the constraints below are what makes them mean something.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Production code keeps strict layers; test files may also use the test harness (type:testing).
function boundaries(inTests) {
  const t = inTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // Contracts: DTOs, subjects, OCI grammar. No I/O, no Nest, no other workspace lib.
      { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [...t] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contract', ...t] },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:util', 'type:contract', ...t] },
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:util', 'type:contract', ...t] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:infra', 'type:util', 'type:contract', 'type:domain'] },
      // Apps may use any lib, never another app.
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:util', 'type:contract', ...t] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:contract', 'type:util', 'type:infra', 'type:domain'] },
    ],
  };
}

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.nx/**', '.stack/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    // Lets consistent-type-imports keep value imports that Nest's DI reads through decorator metadata.
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.conformance.ts', '**/*.fixture.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // Subjects are wire contracts: only registry-protocol may spell one out.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/registry-protocol/**', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Literal[value=/^(p2p\\.|\\$SRV\\.)/]", message: 'NATS subjects live in libs/registry-protocol (Endpoints, Events); import them.' },
      ],
    },
  },
];
