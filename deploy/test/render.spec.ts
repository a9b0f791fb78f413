import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSchemas } from './support/checks.js';
import { kustomizations, ofKind, render, workloads } from './support/k8s.js';
import { ENVS, withKubectl } from './support/suite.js';

withKubectl(() => {
  describe('every kustomization under deploy/', () => {
    const all = kustomizations();

    it('finds the bases, the overlays and the components', () => {
      const dirs = all.map((k) => k.dir);
      for (const app of ['edge-proxy', 'master-coordinator', 'layer-indexer', 'seeder', 'tracker'])
        for (const d of ['base', 'overlays/dev', 'overlays/prod']) assert.ok(dirs.includes(`${app}/${d}`), `${app}/${d} is missing`);
      for (const d of ['overlays/dev', 'overlays/prod', 'shared/nats/base', 'shared/redis/base']) assert.ok(dirs.includes(d), `${d} is missing`);
      assert.deepEqual(all.filter((k) => k.component).map((k) => k.dir), ['components/network-policy', 'components/service-monitor']);
    });

    for (const { dir } of all.filter((k) => !k.component)) {
      it(`${dir} renders and every object is valid`, async () => {
        const objects = render(dir);
        assert.ok(objects.length > 0, `${dir} renders nothing`);
        assert.deepEqual(await checkSchemas(objects), []);
      });
    }
  });

  for (const env of ENVS) {
    describe(`deploy/overlays/${env} composes the whole system`, () => {
      it('holds the five apps, NATS and Redis in one namespace', () => {
        const objects = render(`overlays/${env}`);
        const names = workloads(objects).map((w) => `${w.kind}/${w.labels['app.kubernetes.io/name']}`).sort();
        assert.deepEqual(names, [
          'DaemonSet/edge-proxy', 'DaemonSet/layer-indexer', 'DaemonSet/seeder',
          'Deployment/master-coordinator', 'Deployment/redis', 'Deployment/tracker', 'StatefulSet/nats',
        ]);
        const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
        assert.deepEqual([...namespaces], ['accelerboat']);
        assert.deepEqual(ofKind(objects, 'Namespace').map((n) => n.metadata.name), ['accelerboat']);
        for (const w of workloads(objects)) assert.equal(w.labels['app.kubernetes.io/part-of'], 'accelerboat', `${w.name} pods lack part-of`);
      });

      it(env === 'prod' ? 'includes the NetworkPolicy and ServiceMonitor components' : 'leaves out NetworkPolicies and the ServiceMonitor CRD', () => {
        const objects = render(`overlays/${env}`);
        const has = (kind: string): boolean => ofKind(objects, kind).length > 0;
        assert.equal(has('NetworkPolicy'), env === 'prod');
        assert.equal(has('ServiceMonitor'), env === 'prod');
      });
    });
  }
});
