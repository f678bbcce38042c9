/** Import boundaries of CityGraph, checked on every `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Import cycles make start-up order and refactoring fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'adapters-know-no-graph',
      comment: 'An adapter speaks to one legacy system; it never imports subgraphs, the gateway or the supervision store.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(subgraphs|gateway|supervision)/' },
    },
    {
      name: 'gateway-knows-no-department',
      comment: 'The gateway authenticates, limits, plans and routes: no adapter, no subgraph code.',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^(adapters|subgraphs)/' },
    },
    {
      name: 'core-depends-on-nothing-of-ours',
      comment: 'core/ is shared by every layer, so it may import no layer.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(adapters|subgraphs|gateway|supervision|scripts)/' },
    },
    {
      name: 'departments-stay-apart',
      comment: 'A subgraph uses its own adapter only; departments meet in the gateway\'s query plan, not in code.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/', pathNot: '^subgraphs/(services|citycode)/' },
      to: { path: '^(subgraphs|adapters)/([^/]+)/', pathNot: ['^subgraphs/$1/', '^subgraphs/kit/', '^adapters/$1/', '^adapters/kit/'] },
    },
    {
      name: 'services-reach-departments-only-for-bundles',
      comment: 'The services subgraph (一网通办) uses the service hall, and, for bundled services, only the operations each department offers bundles.',
      severity: 'error',
      from: { path: '^subgraphs/services/' },
      to: { path: '^(subgraphs|adapters)/', pathNot: ['^subgraphs/(services|kit)/', '^adapters/(serviceHall|kit)/', '^adapters/population/births\\.ts$', '^adapters/medicalInsurance/enrolment\\.ts$', '^adapters/housingFund/family\\.ts$'] },
    },
    {
      name: 'citycode-reads-adapters-only',
      comment: 'The city code discloses from other departments through their adapters (by purpose), never through their subgraphs.',
      severity: 'error',
      from: { path: '^subgraphs/citycode/' },
      to: { path: '^subgraphs/([^/]+)/', pathNot: ['^subgraphs/citycode/', '^subgraphs/kit/'] },
    },
    {
      name: 'citycode-client-stands-alone',
      comment: 'The client library ships to apps and gate vendors: no server code, nothing of the repo but itself.',
      severity: 'error',
      from: { path: '^citycode-client/', pathNot: '/__tests__/' },
      to: { path: '^(adapters|subgraphs|gateway|supervision|scripts|core)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|\\.data)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
