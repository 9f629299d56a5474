// Import rules for the server, checked by `npm run -s check:imports` (part of `make test`).
// Tests are left out: they may reach across folders; the rules are about the production graph.
// Type-only imports count (tsPreCompilationDeps), since a type import is a dependency too.

/** Cores that must stay free of I/O frameworks: they are unit-tested with plain values and fakes. */
const PURE_CORES = [
  '^server/src/sessions/lifecycle\\.ts$', // the session lifecycle
  '^server/src/launch/', // the launch plan
  '^server/src/audit/chain\\.ts$', // the audit chain
  '^server/src/policies/', // who may do what
  '^server/src/congestion/', // the congestion controller
];

export default {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment: 'Two folders of server/src import each other (directly or round a loop); one of them must give way.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^server/src/[^/]+' },
      to: { circular: true },
    },
    {
      name: 'pure-core-no-io',
      comment:
        'The lifecycle, the launch plan, the audit chain, the policies and the congestion controller import no Fastify, node:fs or Kysely.',
      severity: 'error',
      from: { path: PURE_CORES },
      to: { path: ['(^|/)node_modules/(fastify|@fastify/[^/]+|fastify-[^/]+|kysely)/', '^(node:)?fs(/promises)?$'] },
    },
    {
      name: 'control-not-sessions',
      comment: 'The control channel owns its types; the session core uses control/, not the other way round.',
      severity: 'error',
      from: { path: '^server/src/control/' },
      to: { path: '^server/src/sessions/' },
    },
    {
      name: 'resolvable',
      comment: 'An import the check cannot resolve would slip past every rule above.',
      severity: 'error',
      from: { path: '^server/src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    exclude: { path: ['\\.test\\.ts$', '^server/test/', '\\.sh$'] },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve package "exports" (kysely/migration, the @vitrine/protocol workspace) as Node does.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default', 'types'] },
  },
};
