/**
 * The Kubernetes objects of a CityGraph deployment, built from the list of subgraphs so that a new
 * department cannot be deployed without its Deployment, Service, autoscaler, disruption budget and
 * network policies. `npm run -s deploy:render` writes them to deploy/k8s/; a test validates them against
 * the Kubernetes schemas (kubernetes-models) and fails when the files are stale.
 */
import { stringify } from 'yaml';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../scripts/lib/node-flags.ts';
import { SUBGRAPHS } from '../scripts/lib/subgraphs.ts';

/** What a department's subgraph needs beyond what every subgraph gets. */
export interface DepartmentDeployment {
  /** Plain settings (URLs of the legacy system, timeouts), from the `citygraph-<name>` ConfigMap. */
  config: Record<string, string>;
  /** Environment variables taken from the `citygraph-<name>` Secret, by key: never written here. */
  secrets: readonly string[];
  /** Where its legacy systems are: the only egress the subgraph has besides the store and DNS. */
  legacyEgress: readonly { cidr: string; port: number }[];
}

/**
 * Per department. The CIDRs are placeholders of the documentation range (RFC 5737): an operator sets the
 * real address of each legacy system, or the renderer refuses nothing but the policy allows nothing.
 */
export const DEPARTMENTS: Record<string, DepartmentDeployment> = {
  population: {
    config: { POPULATION_LEGACY_URL: 'https://rkxx.example.invalid/ws/RkxxService', POPULATION_TIMEOUT_MS: '2000' },
    secrets: ['POPULATION_LEGACY_SECRET'],
    legacyEgress: [{ cidr: '192.0.2.10/32', port: 443 }],
  },
  medicalInsurance: {
    config: { MEDICAL_INSURANCE_LEGACY_URL: 'https://ybxt.example.invalid/fsi/api/rsfComIfsService/callService', MEDICAL_INSURANCE_TIMEOUT_MS: '2000' },
    secrets: [],
    legacyEgress: [{ cidr: '192.0.2.11/32', port: 443 }],
  },
  supervision: {
    // The alarm engine reads cases from the hall and households from the registry.
    config: { SERVICE_HALL_URL: 'https://zwfw.example.invalid/exchange', POPULATION_LEGACY_URL: 'https://rkxx.example.invalid/ws/RkxxService' },
    secrets: ['SERVICE_HALL_APP_ID', 'SERVICE_HALL_APP_SECRET', 'POPULATION_LEGACY_SECRET'],
    legacyEgress: [
      { cidr: '192.0.2.15/32', port: 443 },
      { cidr: '192.0.2.10/32', port: 443 },
    ],
  },
  parking: {
    config: { PARKING_LEGACY_URL: 'https://park.example.invalid', PARKING_TIMEOUT_MS: '2000' },
    secrets: ['PARKING_APP_ID', 'PARKING_APP_SECRET'],
    legacyEgress: [{ cidr: '192.0.2.12/32', port: 443 }],
  },
  housingFund: {
    config: { HOUSING_FUND_TIMEOUT_MS: '2000', HOUSING_FUND_EXCHANGE_LOG: 'true' },
    // The fund's front-end database in production is PostgreSQL; its URL carries credentials.
    secrets: ['HOUSING_FUND_DATABASE'],
    legacyEgress: [{ cidr: '192.0.2.13/32', port: 5432 }],
  },
  marketRegulation: {
    config: { MARKET_REGULATION_LEGACY_URL: 'https://scjg.example.invalid', MARKET_REGULATION_SOURCE: 'samr', MARKET_REGULATION_TIMEOUT_MS: '2000' },
    secrets: [],
    legacyEgress: [{ cidr: '192.0.2.14/32', port: 443 }],
  },
  services: {
    config: {
      SERVICE_HALL_URL: 'https://zwfw.example.invalid/exchange',
      SERVICE_HALL_TIMEOUT_MS: '3000',
      // The newborn bundle files its parts with the registry and the platform themselves.
      POPULATION_LEGACY_URL: 'https://rkxx.example.invalid/ws/RkxxService',
      MEDICAL_INSURANCE_LEGACY_URL: 'https://ybxt.example.invalid/fsi/api/rsfComIfsService/callService',
      // Filing checks the certificates an application refers to; approval checks they were checked.
      LICENCE_LIBRARY_URL: 'https://dzzz.example.invalid',
      // Zero-material filing asks the issuers: the registry (household register), the enterprise registry (business licence).
      MARKET_REGULATION_LEGACY_URL: 'https://scjg.example.invalid',
    },
    secrets: ['SERVICE_HALL_APP_ID', 'SERVICE_HALL_APP_SECRET', 'LICENCE_LIBRARY_APP_KEY', 'LICENCE_LIBRARY_APP_SECRET'],
    legacyEgress: [
      { cidr: '192.0.2.15/32', port: 443 },
      { cidr: '192.0.2.10/32', port: 443 },
      { cidr: '192.0.2.11/32', port: 443 },
      { cidr: '192.0.2.16/32', port: 443 },
      { cidr: '192.0.2.14/32', port: 443 },
    ],
  },
  documents: {
    config: { LICENCE_LIBRARY_URL: 'https://dzzz.example.invalid', LICENCE_LIBRARY_TIMEOUT_MS: '2000', SERVICE_HALL_URL: 'https://zwfw.example.invalid/exchange' },
    secrets: ['LICENCE_LIBRARY_APP_KEY', 'LICENCE_LIBRARY_APP_SECRET', 'LICENCE_LIBRARY_ISSUER_KEYS', 'SERVICE_HALL_APP_ID', 'SERVICE_HALL_APP_SECRET'],
    // The electronic licence library, and the service hall for the case a document is used for.
    legacyEgress: [
      { cidr: '192.0.2.16/32', port: 443 },
      { cidr: '192.0.2.15/32', port: 443 },
    ],
  },
  citycode: {
    config: {
      POPULATION_LEGACY_URL: 'https://rkxx.example.invalid/ws/RkxxService',
      MEDICAL_INSURANCE_LEGACY_URL: 'https://ybxt.example.invalid/fsi/api/rsfComIfsService/callService',
      PARKING_LEGACY_URL: 'https://park.example.invalid',
      CITYCODE_CREDENTIAL_HOURS: '24',
      CITYCODE_ROTATION_DAYS: '30',
    },
    secrets: ['CITYCODE_HANDLE_KEY', 'POPULATION_LEGACY_SECRET', 'PARKING_APP_ID', 'PARKING_APP_SECRET'],
    // It discloses by purpose from the registry, the insurance platform and the parking platform.
    legacyEgress: [
      { cidr: '192.0.2.10/32', port: 443 },
      { cidr: '192.0.2.11/32', port: 443 },
      { cidr: '192.0.2.12/32', port: 443 },
    ],
  },
};

const NAMESPACE = 'citygraph';
const IMAGE = 'registry.example.invalid/citygraph:0.1.0';
const APP_PORT = 8080;
const STORE = { cidr: '198.51.100.20/32', port: 5432 };
const REDIS = { cidr: '198.51.100.21/32', port: 6379 };

type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

const labels = (component: string) => ({ 'app.kubernetes.io/name': 'citygraph', 'app.kubernetes.io/component': component });
const meta = (name: string, component: string) => ({ name, namespace: NAMESPACE, labels: labels(component) });

/** Hardened pod settings shared by every process: non-root, read-only root, no privilege, no token. */
function podSpec(component: string, entry: string, env: object[], extraVolumes: { volumes: object[]; mounts: object[] } = { volumes: [], mounts: [] }) {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    // Rolling updates send SIGTERM; every process drains in-flight requests before this runs out.
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        name: component,
        image: IMAGE,
        args: [entry],
        ports: [{ name: 'http', containerPort: APP_PORT }],
        env: [
          { name: 'PORT', value: String(APP_PORT) },
          { name: 'HOST', value: '0.0.0.0' },
          { name: 'NODE_ENV', value: 'production' },
          { name: 'CITYGRAPH_DATA_DIR', value: '/var/lib/citygraph' },
          ...env,
        ],
        readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
        resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/citygraph' }, { name: 'tmp', mountPath: '/tmp' }, ...extraVolumes.mounts],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }, ...extraVolumes.volumes],
  };
}

/** Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget of one process. */
function workload(name: string, component: string, entry: string, env: object[], volumes?: { volumes: object[]; mounts: object[] }): K8sObject[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, component),
      spec: {
        replicas: 2,
        selector: { matchLabels: labels(component) },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: { metadata: { labels: labels(component) }, spec: podSpec(component, entry, env, volumes) },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(name, component), spec: { selector: labels(component), ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(name, component),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: 2,
        maxReplicas: 20,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(name, component), spec: { minAvailable: 1, selector: { matchLabels: labels(component) } } },
  ];
}

const fromSecret = (secret: string, key: string) => ({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } });
const fromConfig = (configMap: string, key: string) => ({ name: key, valueFrom: { configMapKeyRef: { name: configMap, key } } });
const dnsEgress = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
const egressTo = (target: { cidr: string; port: number }) => ({ to: [{ ipBlock: { cidr: target.cidr } }], ports: [{ protocol: 'TCP', port: target.port }] });

/** Every object of a deployment, in a stable order, grouped by the file it is written to. */
export function renderManifests(supergraphSdl: string): Record<string, K8sObject[]> {
  const missing = SUBGRAPHS.filter((s) => !DEPARTMENTS[s.name]).map((s) => s.name);
  if (missing.length > 0) throw new Error(`deploy/manifests.ts has no DEPARTMENTS entry for: ${missing.join(', ')}.`);
  const files: Record<string, K8sObject[]> = {};
  files['namespace.yaml'] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    // Nothing talks to anything unless a policy below allows it.
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny', 'policy'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('citygraph-supergraph', 'gateway'), data: { 'supergraph.graphql': supergraphSdl } },
  ];

  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, `http://subgraph-${s.name.toLowerCase()}.${NAMESPACE}.svc/`]));
  files['gateway.yaml'] = [
    ...workload(
      'gateway',
      'gateway',
      'gateway/main.ts',
      [
        { name: 'SUBGRAPH_URLS', value: JSON.stringify(subgraphUrls) },
        // The gateway's heap (scripts/lib/node-flags.ts): resident memory levels off instead of growing with garbage.
        { name: 'NODE_OPTIONS', value: GATEWAY_NODE_FLAGS.join(' ') },
        ...Object.entries(GATEWAY_ENV).map(([name, value]) => ({ name, value })),
        { name: 'SUPERGRAPH_FILE', value: '/etc/citygraph/supergraph.graphql' },
        // SIGTERM: not ready for 10 s while the load balancer drops the pod, then the requests in flight finish.
        { name: 'SHUTDOWN_DELAY_MS', value: '10000' },
        { name: 'SHUTDOWN_TIMEOUT_MS', value: '15000' },
        fromConfig('citygraph-gateway', 'JWKS_URL'),
        fromConfig('citygraph-gateway', 'JWT_ISSUER'),
        fromConfig('citygraph-gateway', 'JWT_AUDIENCE'),
        fromSecret('citygraph-gateway', 'REDIS_URL'),
      ],
      {
        volumes: [
          { name: 'supergraph', configMap: { name: 'citygraph-supergraph' } },
          { name: 'principal-key', secret: { secretName: 'citygraph-principal-key' } },
          { name: 'api-keys', secret: { secretName: 'citygraph-api-keys' } },
        ],
        mounts: [
          { name: 'supergraph', mountPath: '/etc/citygraph', readOnly: true },
          { name: 'principal-key', mountPath: '/var/lib/citygraph/keys', readOnly: true },
          { name: 'api-keys', mountPath: '/etc/citygraph-api-keys', readOnly: true },
        ],
      },
    ),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('citygraph-gateway', 'gateway'), data: { JWKS_URL: 'https://idp.example.invalid/.well-known/jwks.json', JWT_ISSUER: 'https://idp.example.invalid', JWT_AUDIENCE: 'citygraph' } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('gateway', 'policy'),
      spec: {
        podSelector: { matchLabels: labels('gateway') },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: APP_PORT }] }],
        egress: [
          { to: SUBGRAPHS.map((s) => ({ podSelector: { matchLabels: labels(`subgraph-${s.name.toLowerCase()}`) } })), ports: [{ protocol: 'TCP', port: APP_PORT }] },
          egressTo(REDIS),
          dnsEgress,
        ],
      },
    },
  ];

  for (const s of SUBGRAPHS) {
    const dept = DEPARTMENTS[s.name]!;
    const component = `subgraph-${s.name.toLowerCase()}`;
    const cm = `citygraph-${s.name.toLowerCase()}`;
    files[`${component}.yaml`] = [
      ...workload(component, component, `subgraphs/${s.name}/main.ts`, [
        // During a key rollover this secret holds the current and the next public key, one PEM after the other.
        fromSecret('citygraph-principal-public', 'CITYGRAPH_PRINCIPAL_PUBLIC_KEY'),
        // The pod's name is its instance id: its intents carry it, its lease in the store is renewed under it.
        { name: 'CITYGRAPH_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'SHUTDOWN_DELAY_MS', value: '5000' },
        { name: 'SHUTDOWN_TIMEOUT_MS', value: '15000' },
        fromSecret('citygraph-store', 'DATABASE_URL'),
        fromSecret('citygraph-store', 'SUPERVISION_SUBJECT_KEY'),
        ...Object.keys(dept.config).map((k) => fromConfig(cm, k)),
        ...dept.secrets.map((k) => fromSecret(cm, k)),
      ]),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(cm, component), data: dept.config },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(component, 'policy'),
        spec: {
          podSelector: { matchLabels: labels(component) },
          policyTypes: ['Ingress', 'Egress'],
          // Only the gateway reaches a subgraph: nothing goes around it.
          ingress: [{ from: [{ podSelector: { matchLabels: labels('gateway') } }], ports: [{ protocol: 'TCP', port: APP_PORT }] }],
          // Only this department's legacy system and the supervision store, and DNS.
          egress: [...dept.legacyEgress.map(egressTo), egressTo(STORE), dnsEgress],
        },
      },
    ];
  }
  return files;
}

/** A file's objects as YAML documents, with the header that says how it was made. */
export function toYaml(objects: readonly object[]): string {
  const header = '# Generated by `npm run -s deploy:render` from deploy/manifests.ts: edit that, not this.\n';
  return header + objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
