import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { Containerd } from './containerd.js';
import { ContainerdConfig } from './containerd.config.js';
import { ContentStoreUnavailableError } from './content-store.js';
import { contentStoreConformance } from './content-store.conformance.js';
import { startContainerd, type ContainerdFixture } from './containerd.fixture.js';

let fixture: ContainerdFixture;
const clients: Containerd[] = [];
const connect = (over: Partial<ContainerdConfig> = {}): Containerd => {
  const c = Containerd.fromConfig(Object.assign(new ContainerdConfig(), { socket: fixture.socket, ...over }));
  clients.push(c);
  return c;
};

before(async () => {
  fixture = await startContainerd();
});
after(async () => {
  for (const c of clients) c.close();
  await fixture?.stop();
});

const harness = (over: Partial<ContainerdConfig>) => async () => {
  const { content } = connect(over);
  return { store: content, add: (b: Buffer, l?: Record<string, string>) => fixture.ingest(b, l), remove: async (d: string) => void (await fixture.ctr(['content', 'rm', d])) };
};

contentStoreConformance('ContainerdContent over gRPC', harness({}));
contentStoreConformance('ContainerdContent reading CONTAINERD_CONTENT_DIR', harness({ get contentDir() { return fixture.contentDir; } }));

describe('ContainerdContent', () => {
  it('sees only the content of its own namespace', async () => {
    const other = await fixture.ingest(randomBytes(100), {}, 'other');
    assert.equal(await connect({ namespace: 'k8s.io' }).content.info(other), undefined);
    assert.equal((await connect({ namespace: 'other' }).content.info(other))?.size, 100);
  });

  it('reads from the content dir without gRPC when told where it is', async () => {
    const bytes = randomBytes(5000);
    const digest = await fixture.ingest(bytes);
    // A socket nobody listens on: only the direct file read can succeed.
    const offline = connect({ socket: `${fixture.dir}/nobody.sock`, contentDir: fixture.contentDir });
    assert.ok((await buffer(offline.content.read(digest, { offset: 10, size: 20 }))).equals(bytes.subarray(10, 30)));
  });

  it('fails fast with ContentStoreUnavailableError while containerd is not there', async () => {
    const offline = connect({ socket: `${fixture.dir}/nobody.sock`, callTimeoutMs: 2000 });
    const t0 = Date.now();
    await assert.rejects(offline.content.info(`sha256:${'a'.repeat(64)}`), ContentStoreUnavailableError);
    await assert.rejects(async () => { for await (const _ of offline.content.list()) break; }, ContentStoreUnavailableError);
    await assert.rejects(buffer(offline.content.read(`sha256:${'a'.repeat(64)}`)), ContentStoreUnavailableError);
    assert.ok(Date.now() - t0 < 5000);
  });
});
