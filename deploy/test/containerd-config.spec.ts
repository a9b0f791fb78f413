import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CERTS_D, CONTAINERD_CONFIG, checkContainerdConfigInit, checkContainerdConfigUninstall, checkContainerdReadOnly, checkSchemas, type Configs } from './support/checks.js';
import { dataOf, ofKind, render, workloads, type K8sObject, type Workload } from './support/k8s.js';
import { cliMain, runOnNode } from './support/node.js';
import { ENVS, loadConfigs, withKubectl } from './support/suite.js';

// The edge-proxy's init container points each node's containerd at the mirror; the uninstall
// DaemonSet (deploy/uninstall/containerd-config) undoes it. Both are checked as rendered, then run
// with the compiled CLI against a temporary "node" to see what they really do to certs.d.

const UNINSTALL = 'uninstall/containerd-config';
const OPERATORS_OWN = 'server = "https://registry-1.docker.io"\n# the operator\'s own file\n';

function initOf(w: Workload) {
  const c = (w.pod.initContainers ?? []).find((x) => x.name === CONTAINERD_CONFIG);
  assert.ok(c, `${w.name} has no init container ${CONTAINERD_CONFIG}`);
  return c;
}

function edgeProxy(objects: K8sObject[]): Workload {
  const w = workloads(objects).find((x) => x.labels['app.kubernetes.io/name'] === 'edge-proxy');
  assert.ok(w);
  return w;
}

/** Every file under a directory, relative, sorted. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

withKubectl(() => {
  let configs: Configs;
  const hosts: string[] = [];
  before(async () => {
    configs = await loadConfigs();
  });
  after(() => hosts.forEach((h) => rmSync(h, { recursive: true, force: true })));
  const node = (): string => {
    const h = mkdtempSync(join(tmpdir(), 'ab-node-'));
    hosts.push(h);
    return h;
  };

  for (const env of ENVS) {
    describe(`deploy/overlays/${env}: containerd points at the edge-proxy`, () => {
      let objects: K8sObject[];
      before(() => {
        objects = render(`overlays/${env}`);
      });

      it('from an init container: the registries ConfigMap, the mirror port, certs.d read-write there only, root without capabilities', () => {
        assert.deepEqual(checkContainerdConfigInit(objects, configs), []);
        assert.deepEqual(checkContainerdReadOnly(objects), []);
      });

      it('which, run with the CLI, writes one hosts.toml per registry, keeps what was there, changes nothing on a restart, and the uninstall DaemonSet undoes it all', () => {
        const host = node();
        const certs = join(host, CERTS_D);
        mkdirSync(join(certs, 'docker.io'), { recursive: true });
        writeFileSync(join(certs, 'docker.io', 'hosts.toml'), OPERATORS_OWN);
        mkdirSync(join(certs, '_default'));
        writeFileSync(join(certs, '_default', 'hosts.toml'), 'server = "https://example.invalid"\n');
        const before = tree(certs);
        // What an earlier registries.json had and this one no longer has: --prune undoes it.
        const dropped = spawnSync(process.execPath, [cliMain, 'containerd-config', 'install', '--registry', 'registry.dropped.example', '--dir', certs], { encoding: 'utf8' });
        assert.equal(dropped.status, 0, dropped.stderr);

        const edge = edgeProxy(objects);
        const install = runOnNode(objects, edge, initOf(edge), host);
        assert.equal(install.status, 0, `${install.argv.join(' ')}\n${install.stderr}`);
        const cm = ofKind(objects, 'ConfigMap').find((x) => x.metadata.name.startsWith('accelerboat-registries'));
        assert.ok(cm);
        const registries = (JSON.parse(dataOf(cm)['registries.json']) as { registries: { originalHost: string }[] }).registries.map((r) => r.originalHost);
        assert.ok(registries.length > 0);
        for (const r of registries) {
          const text = readFileSync(join(certs, r, 'hosts.toml'), 'utf8');
          assert.match(text, /^\[host\."http:\/\/127\.0\.0\.1:5080"\]$/m, `${r}: the node's edge-proxy first`);
          assert.match(text, new RegExp(`^server = "https://${r === 'docker.io' ? 'registry-1\\.docker\\.io' : r.replace(/\./g, '\\.')}"$`, 'm'), `${r}: the registry itself as fallback`);
        }
        assert.equal(readFileSync(join(certs, 'docker.io', 'hosts.toml.accelerboat-backup'), 'utf8'), OPERATORS_OWN);
        assert.equal(readFileSync(join(certs, '_default', 'hosts.toml'), 'utf8'), 'server = "https://example.invalid"\n', 'other namespaces are left alone');
        assert.match(install.stdout, /removed .*registry\.dropped\.example\/hosts\.toml/);
        const installed = tree(certs);
        assert.deepEqual(installed, [...before, 'docker.io/hosts.toml.accelerboat-backup', ...registries.filter((r) => r !== 'docker.io').map((r) => `${r}/hosts.toml`)].sort());

        const restart = runOnNode(objects, edge, initOf(edge), host);
        assert.equal(restart.status, 0, restart.stderr);
        assert.deepEqual(tree(certs), installed);
        assert.match(restart.stdout, /is already up to date/);

        const uninstall = render(UNINSTALL);
        const ds = workloads(uninstall)[0];
        const undo = runOnNode(uninstall, ds, initOf(ds), host);
        assert.equal(undo.status, 0, `${undo.argv.join(' ')}\n${undo.stderr}`);
        assert.deepEqual(tree(certs), before);
        assert.equal(readFileSync(join(certs, 'docker.io', 'hosts.toml'), 'utf8'), OPERATORS_OWN);
        const again = runOnNode(uninstall, ds, initOf(ds), host);
        assert.equal(again.status, 0, again.stderr);
        assert.deepEqual(tree(certs), before);
      });
    });
  }

  describe(`deploy/${UNINSTALL}`, () => {
    it('runs `accelerboat containerd-config uninstall` on every node, certs.d read-write in the init container only, in a namespace of its own', async () => {
      const objects = render(UNINSTALL);
      assert.deepEqual(await checkSchemas(objects), []);
      assert.deepEqual(checkContainerdConfigUninstall(objects), []);
      assert.deepEqual(checkContainerdReadOnly(objects), []);
    });

    it('uses the image tag of the prod overlay (the CLI that wrote the files)', () => {
      const tag = (objects: K8sObject[]) => edgeImages(objects).map((i) => i.split(':')[1]);
      assert.deepEqual([...new Set(tag(render(UNINSTALL)))], [...new Set(tag(render('overlays/prod')))]);
    });
  });
});

function edgeImages(objects: K8sObject[]): string[] {
  return workloads(objects).flatMap((w) => [...(w.pod.initContainers ?? []), ...w.pod.containers].map((c) => c.image ?? '')).filter((i) => i.startsWith('accelerboat/edge-proxy'));
}
