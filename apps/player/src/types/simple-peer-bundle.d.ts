/**
 * Types for simple-peer's prebuilt browser bundle. The bundle carries its own Buffer and stream
 * polyfills, so the page needs no `global`/`Buffer`/`process` shims; `@types/simple-peer` is not
 * used here because it pulls Node's types into a browser build.
 */
declare module 'simple-peer/simplepeer.min.js' {
  /** The subset of simple-peer's constructor options the player sets. */
  export interface SimplePeerOptions {
    initiator?: boolean;
    trickle?: boolean;
    config?: RTCConfiguration;
    channelConfig?: RTCDataChannelInit;
    objectMode?: boolean;
  }

  /** One simple-peer connection. */
  export interface SimplePeerInstance {
    on(event: 'signal', listener: (data: unknown) => void): this;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'data', listener: (data: unknown) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    signal(data: object): void;
    send(data: string | ArrayBufferView | ArrayBuffer | Blob): void;
    destroy(error?: Error): void;
    readonly bufferSize: number;
    readonly connected: boolean;
    readonly destroyed: boolean;
  }

  const SimplePeer: {
    new (options?: SimplePeerOptions): SimplePeerInstance;
    readonly WEBRTC_SUPPORT: boolean;
  };
  export default SimplePeer;
}
