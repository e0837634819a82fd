/**
 * Module boundaries (dependency-cruiser), checked by `npm run deps` and in `npm test`:
 * - no circular dependencies, between files or between the folders of src/;
 * - `domain/` folders are pure rules: no Nest, TypeORM, database driver or I/O;
 * - `common/` is shared plumbing: it imports no capability folder;
 * - a capability folder reaches another only through what that module exports (its services, entities,
 *   types), never through its controllers or repositories.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      severity: 'error',
      comment: 'Files import each other: one of them should own the shared part.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'Two folders of src/ depend on each other: move what both need to the lower one (or common/).',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds pure rules: no framework, database or I/O.',
      from: { path: '/domain/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          '^node_modules/(@nestjs|typeorm|pg|@fastify|fastify)',
          '^(fs|net|http|https|child_process)$',
          '^node:(fs|net|http|https|child_process)',
        ],
      },
    },
    {
      name: 'common-imports-no-capability',
      severity: 'error',
      comment: 'common/ is plumbing every capability uses; it must not depend on one.',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'no-foreign-controllers-or-repositories',
      severity: 'error',
      comment: 'Reach another capability through its exported services, not its controllers or repositories.',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.*\\.(controller|repository)\\.ts$', pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
