import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../scripts/lib/node-flags.ts';
import { ROOT } from '../../scripts/lib/processes.ts';
import { SUBGRAPHS } from '../../scripts/lib/subgraphs.ts';
import { DEPARTMENTS, renderManifests, toYaml } from '../manifests.ts';

const MODELS: Record<string, new (o: any) => { validate(): void }> = { Deployment, HorizontalPodAutoscaler, NetworkPolicy, PodDisruptionBudget, ConfigMap, Namespace, Service };
const files = renderManifests(readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8'));
const objects = Object.values(files).flat() as any[];
const deployments = objects.filter((o) => o.kind === 'Deployment');
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

describe('the Kubernetes manifests in deploy/k8s', () => {
  it('are up to date with deploy/manifests.ts and the supergraph (run `npm run -s deploy:render` when this fails)', () => {
    for (const [name, objs] of Object.entries(files)) expect(readFileSync(join(ROOT, 'deploy/k8s', name), 'utf8'), name).toBe(toYaml(objs));
  });

  it('validate against the Kubernetes schemas, object by object, as written on disk', () => {
    let count = 0;
    for (const name of Object.keys(files)) {
      for (const doc of parseAllDocuments(readFileSync(join(ROOT, 'deploy/k8s', name), 'utf8'))) {
        const o = doc.toJS();
        const Model = MODELS[o.kind];
        expect(Model, `${name}: no schema for ${o.kind}`).toBeDefined();
        expect(() => new Model!(o).validate(), `${name}: ${o.kind} ${o.metadata?.name}`).not.toThrow();
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(3 + 5 * (SUBGRAPHS.length + 1));
  });

  it('would catch an invalid object (the validation can fail)', () => {
    const broken = structuredClone(deployments[0]);
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken).validate()).toThrow();
  });

  it('deploy the gateway and every subgraph with a Service, an autoscaler and a disruption budget', () => {
    for (const name of ['gateway', ...SUBGRAPHS.map((s) => `subgraph-${s.name.toLowerCase()}`)]) {
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
        expect(objects.some((o) => o.kind === kind && o.metadata.name === name), `${kind} ${name}`).toBe(true);
      }
    }
  });

  it('run every container as non-root, read-only, with readiness on /readyz and liveness on /healthz', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.readinessProbe.httpGet.path).toBe('/readyz');
        expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      }
    }
  });

  it('take every secret by reference, never as a value in the manifest', () => {
    const secretish = /SECRET|KEY|PASSWORD|TOKEN|DATABASE_URL|REDIS_URL/;
    for (const d of deployments) {
      for (const e of d.spec.template.spec.containers.flatMap((c: any) => c.env)) {
        if (secretish.test(e.name)) expect(e.valueFrom?.secretKeyRef, `${d.metadata.name} ${e.name}`).toBeDefined();
      }
    }
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('name each subgraph instance by its pod (lease and intents) and drain within the grace period', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e]));
      if (d.metadata.name !== 'gateway') expect(env.CITYGRAPH_INSTANCE_ID?.valueFrom?.fieldRef?.fieldPath, d.metadata.name).toBe('metadata.name');
      const drain = Number(env.SHUTDOWN_DELAY_MS?.value) + Number(env.SHUTDOWN_TIMEOUT_MS?.value);
      expect(drain, d.metadata.name).toBeGreaterThan(0);
      // The process's own hard stop (drain + 3 s) comes before Kubernetes' SIGKILL.
      expect(drain + 3000, d.metadata.name).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
    }
  });

  it('give the gateway the supergraph from a ConfigMap', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'citygraph-supergraph');
    expect(cm.data['supergraph.graphql']).toBe(readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8'));
    const gw = deployments.find((d) => d.metadata.name === 'gateway').spec.template.spec;
    expect(gw.volumes).toContainEqual({ name: 'supergraph', configMap: { name: 'citygraph-supergraph' } });
  });

  it('run the gateway with its heap flags and malloc setting (scripts/lib/node-flags.ts) and no subgraph with them', () => {
    const env = (name: string) => deployments.find((d) => d.metadata.name === name).spec.template.spec.containers[0].env as { name: string; value?: string }[];
    const options = env('gateway').find((e) => e.name === 'NODE_OPTIONS')?.value?.split(' ') ?? [];
    expect(GATEWAY_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of GATEWAY_NODE_FLAGS) expect(options).toContain(flag);
    for (const [name, value] of Object.entries(GATEWAY_ENV)) expect(env('gateway')).toContainEqual({ name, value });
    for (const d of deployments.filter((x) => x.metadata.name !== 'gateway')) expect(env(d.metadata.name).find((e) => e.name === 'NODE_OPTIONS')).toBeUndefined();
  });

  it('deny by default, let only the gateway reach a subgraph, and a subgraph only its legacy system, the store and DNS', () => {
    expect(policies.find((p) => p.metadata.name === 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const s of SUBGRAPHS) {
      const p = policies.find((x) => x.metadata.name === `subgraph-${s.name.toLowerCase()}`);
      expect(p.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'citygraph', 'app.kubernetes.io/component': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
      const cidrs = p.spec.egress.flatMap((e: any) => e.to.map((t: any) => t.ipBlock?.cidr).filter(Boolean));
      expect(cidrs.every((c: string) => c.endsWith('/32'))).toBe(true);
      // Its own legacy systems and the store, nothing else.
      expect(cidrs.length).toBe(DEPARTMENTS[s.name]!.legacyEgress.length + 1);
    }
  });
});

describe('the Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('builds in stages and installs production dependencies only', () => {
    expect(lines.filter((l) => /^FROM /.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(lines.filter((l) => /^FROM node:24\./.test(l)).length).toBe(lines.filter((l) => /^FROM /.test(l)).length);
  });

  it('runs as the non-root user the manifests require', () => {
    const users = lines.filter((l) => /^USER /.test(l));
    expect(users.at(-1)).toBe('USER 10001:10001');
    expect(deployments.every((d) => d.spec.template.spec.securityContext.runAsUser === 10001)).toBe(true);
  });
});
