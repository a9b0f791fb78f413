import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildImage, type ImageFixture } from '@accelerboat/testing';
import { Containerd } from './containerd.js';
import { ContainerdConfig } from './containerd.config.js';
import type { ContainerdEvent, ImageChangeEvent } from './content-events.js';
import { startContainerd, type ContainerdFixture } from './containerd.fixture.js';

/** Collects a subscription's events in the background so that a test can wait for one. */
class EventTap {
  readonly seen: ContainerdEvent[] = [];
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(source: Containerd['events']) {
    this.done = (async () => {
      for await (const e of source.subscribe(undefined, { signal: this.abort.signal })) this.seen.push(e);
    })();
  }

  async waitFor<T extends ContainerdEvent>(what: string, match: (e: ContainerdEvent) => e is T, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.seen.find(match);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no ${what} event within ${ms} ms; saw ${JSON.stringify(this.seen.map((e) => e.type))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

describe('ContainerdEvents on a real containerd', () => {
  let fixture: ContainerdFixture;
  let containerd: Containerd;
  let image: ImageFixture;
  let tap: EventTap;

  before(async () => {
    fixture = await startContainerd();
    containerd = Containerd.fromConfig(Object.assign(new ContainerdConfig(), { socket: fixture.socket }));
    image = await buildImage({ layers: [300_000, 20_000], tag: 'v1' });
    tap = new EventTap(containerd.events);
    await tap.waitFor('subscribed', (e): e is ContainerdEvent => e.type === 'subscribed');
  });
  after(async () => {
    await tap?.stop();
    containerd?.close();
    await fixture?.stop();
    await image?.remove();
  });

  it('reports an imported image, whose layers are then in the content store (no content-create event exists)', async () => {
    const name = await fixture.importImage(image, 'test.local/app');
    const created = await tap.waitFor('image-create', (e): e is ImageChangeEvent => e.type === 'image-create' && e.name === name);
    assert.equal(created.namespace, 'k8s.io');
    assert.ok(Math.abs(created.timestamp.getTime() - Date.now()) < 60_000);
    for (const layer of image.layers) assert.equal((await containerd.content.info(layer.digest))?.size, layer.size);
    assert.equal(tap.seen.filter((e) => e.type === 'other').length, 0, 'the default filters let only content and image topics through');
  });

  it('reports an image delete and an API content delete, but not what another namespace does', async () => {
    await fixture.ingest(randomBytes(10), {}, 'elsewhere');
    await fixture.ctr(['images', 'rm', `test.local/app:v1`]);
    await tap.waitFor('image-delete', (e): e is ContainerdEvent => e.type === 'image-delete' && e.name === 'test.local/app:v1');
    const kept = await fixture.ingest(randomBytes(50));
    await fixture.ctr(['content', 'rm', kept]);
    const del = await tap.waitFor('content-delete', (e): e is Extract<ContainerdEvent, { type: 'content-delete' }> => e.type === 'content-delete');
    assert.equal(del.digest, kept);
    assert.ok(tap.seen.every((e) => e.type === 'subscribed' || e.namespace === 'k8s.io'));
  });

  it('resumes after containerd restarts and says so, so that the consumer can re-list', async () => {
    await fixture.restart();
    await tap.waitFor('resumed subscription', (e): e is ContainerdEvent => e.type === 'subscribed' && e.resumed);
    const name = await fixture.importImage(image, 'test.local/again');
    await tap.waitFor('image-create after restart', (e): e is ContainerdEvent => e.type === 'image-create' && e.name === name);
    assert.equal((await containerd.content.info(image.layers[0]!.digest))?.size, image.layers[0]!.size);
  });

  it('ends the iteration when its signal is aborted', async () => {
    const other = new EventTap(containerd.events);
    await other.waitFor('subscribed', (e): e is ContainerdEvent => e.type === 'subscribed');
    await other.stop();
  });
});
