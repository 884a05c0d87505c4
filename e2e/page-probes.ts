/**
 * What the striped-pull e2e tests watch inside a player tab, installed before the page's own
 * scripts (`page.addInitScript`): the SHA-256 of every buffer hls.js appends to MediaSource, and
 * when binary DataChannel messages (segment blocks) last arrived.
 */
import type { Page } from '@playwright/test';

/** One `SourceBuffer.appendBuffer` call. */
export interface AppendRecord {
  bytes: number;
  /** The first box's type: `ftyp`/`moov` for an init segment, `moof`/`styp` for media. */
  box: string;
  /** SHA-256 of the appended bytes, hex; null while still hashing. */
  sha256: string | null;
  /** `performance.now()` of the call. */
  atMs: number;
}

/** Binary DataChannel traffic into the tab. */
export interface ChannelRecord {
  messages: number;
  bytes: number;
  /** `performance.now()` of the last binary message, -1 before any. */
  lastAtMs: number;
}

interface ProbeWindow {
  __appends: AppendRecord[];
  __channels: ChannelRecord;
}

/** Runs in the page, before hls.js and the player load. */
function install(): void {
  const w = window as unknown as ProbeWindow;
  w.__appends = [];
  w.__channels = { messages: 0, bytes: 0, lastAtMs: -1 };

  const hex = (buffer: ArrayBuffer): string =>
    [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const append = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function (this: SourceBuffer, data: BufferSource): void {
    const view =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Copy now: the caller may reuse or transfer its buffer once the append is queued.
    const copy = view.slice();
    const box = String.fromCharCode(...copy.subarray(4, 8));
    const record: AppendRecord = { bytes: copy.byteLength, box, sha256: null, atMs: performance.now() };
    w.__appends.push(record);
    void crypto.subtle.digest('SHA-256', copy).then((d) => (record.sha256 = hex(d)));
    append.call(this, data);
  };

  const count = (channel: RTCDataChannel): void => {
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      const data = event.data;
      const bytes = data instanceof ArrayBuffer ? data.byteLength : data instanceof Blob ? data.size : 0;
      if (bytes === 0) return;
      w.__channels.messages += 1;
      w.__channels.bytes += bytes;
      w.__channels.lastAtMs = performance.now();
    });
  };
  const Native = window.RTCPeerConnection;
  const create = Native.prototype.createDataChannel;
  Native.prototype.createDataChannel = function (
    this: RTCPeerConnection,
    ...args: Parameters<RTCPeerConnection['createDataChannel']>
  ): RTCDataChannel {
    const channel = create.apply(this, args);
    count(channel);
    return channel;
  };
  class Counted extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      this.addEventListener('datachannel', (event) => count(event.channel));
    }
  }
  window.RTCPeerConnection = Counted;
}

/** Installs the probes in `page` (call before `goto`). */
export async function installProbes(page: Page): Promise<void> {
  await page.addInitScript(install);
}

/** Every append so far, each hashed (waits for hashes still running). */
export async function appends(page: Page): Promise<AppendRecord[]> {
  await page.waitForFunction(
    () => (window as unknown as ProbeWindow).__appends.every((a) => a.sha256 !== null),
    undefined,
    { timeout: 10_000 },
  );
  return page.evaluate(() => (window as unknown as ProbeWindow).__appends.map((a) => ({ ...a })));
}

/** The tab's binary DataChannel traffic so far, and the page clock now. */
export async function channels(page: Page): Promise<ChannelRecord & { nowMs: number }> {
  return page.evaluate(() => ({
    ...(window as unknown as ProbeWindow).__channels,
    nowMs: performance.now(),
  }));
}
