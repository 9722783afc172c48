// DESIGN.md's layering: dependencies point inward. `store` and `config` use nothing of
// ours but the leaf modules; `triggers` never reaches the edge (inbound, http, cli) nor
// the outbound side; a shipped driver imports only the driver API, and its test only that
// and the driver test kit.
const LEAF = '^src/(clock|ids|errors|redact|address-list)\\.ts$';
const EDGE = '^src/(inbound|http|cli|admin)/';
// Tests are left out of the graph, except a driver's own test: what it may import is a rule.
const DRIVER_TEST = '^drivers/[^/]+/driver\\.test\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'store-uses-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^(src|drivers)/', pathNot: ['^src/store/', LEAF] },
    },
    {
      name: 'config-uses-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^(src|drivers|migrations)/', pathNot: ['^src/config/', LEAF] },
    },
    {
      name: 'drivers-runtime-stays-below-triggers',
      severity: 'error',
      from: { path: '^src/drivers/' },
      to: { path: ['^src/(triggers|outbound|store)/', EDGE, '^src/engine\\.ts$'] },
    },
    {
      name: 'triggers-never-reach-the-edge-or-outbound',
      severity: 'error',
      from: { path: '^src/triggers/' },
      to: { path: [EDGE, '^src/outbound/', '^src/engine\\.ts$'] },
    },
    {
      name: 'outbound-never-reaches-the-edge',
      severity: 'error',
      from: { path: '^src/outbound/' },
      to: { path: [EDGE, '^src/engine\\.ts$'] },
    },
    {
      name: 'cluster-never-reaches-the-edge',
      severity: 'error',
      from: { path: '^src/cluster/' },
      to: { path: [EDGE, '^src/engine\\.ts$'] },
    },
    {
      name: 'views-never-reach-the-edge',
      severity: 'error',
      from: { path: '^src/(views|overrides)/' },
      to: { path: ['^src/(http|cli|admin)/', '^src/engine\\.ts$'] },
    },
    {
      name: 'inbound-never-reaches-http-or-cli',
      severity: 'error',
      from: { path: '^src/inbound/' },
      to: { path: ['^src/(http|cli|admin)/', '^src/engine\\.ts$'] },
    },
    {
      name: 'a-driver-imports-only-the-driver-api',
      severity: 'error',
      from: { path: '^drivers/[^/]+/driver\\.ts$' },
      to: { path: '^src/', pathNot: '^src/drivers/api\\.ts$' },
    },
    {
      name: 'a-driver-test-imports-only-the-driver-api-and-its-test-kit',
      severity: 'error',
      from: { path: DRIVER_TEST },
      to: { path: '^src/', pathNot: '^src/drivers/(api|testing)\\.ts$' },
    },
    {
      name: 'migrations-use-nothing-of-ours',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^(src|drivers)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(?!drivers/[^/]+/driver\\.test\\.ts$).*\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // TypeScript 7 has no compiler API for dependency-cruiser to parse with; swc parses TS.
    parser: 'swc',
  },
};
