import {
  AdminSnapshotSchema,
  validate,
  type AdminEvent,
  type AdminSnapshot,
  type StreamId,
} from '@p2pcdn/core';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { ALL_STREAMS, type StreamSelection } from '../graph/graph-model.ts';
import { DEFAULT_EVENT_LOG_LENGTH, mergeEvents } from './event-log.ts';
import { DEFAULT_HISTORY_LENGTH, appendSnapshot, type StreamHistory } from './history.ts';

/** Where the `/admin` socket stands, as the header shows it. */
export type ConnectionStatus =
  /** No token yet: the token form is shown. */
  | 'signed-out'
  | 'connecting'
  | 'connected'
  /** Lost the coordinator; socket.io is retrying. */
  | 'reconnecting'
  /** The coordinator refused the token: the form is shown again with `message`. */
  | 'refused'
  /** The coordinator closed the connection and will not be retried automatically. */
  | 'disconnected';

/** Connection status plus the sentence and retry count that explain it. */
export interface ConnectionState {
  status: ConnectionStatus;
  message?: string;
  attempt?: number;
}

/** Everything the dashboard shows, fed by the `/admin` socket. */
export interface AdminState {
  token: string | null;
  connection: ConnectionState;
  /** The latest valid snapshot. */
  snapshot: AdminSnapshot | null;
  /** Local time the latest snapshot arrived (ms), to flag a stale view. */
  receivedAt: number | null;
  /** Per-stream figures over time, bounded (see {@link DEFAULT_HISTORY_LENGTH}). */
  histories: Record<StreamId, StreamHistory>;
  /** Events seen so far, newest first, bounded. */
  events: AdminEvent[];
  /** Snapshots that failed validation, and why the last one did. */
  rejected: { count: number; lastReason: string | null };
  /** Stream drawn by the topology view. */
  selection: StreamSelection;
  /** Node whose sources and shares the sources panel shows (picked in the forest or fleet). */
  selectedNodeId: string | null;
  /** Bumped by {@link AdminState.reconnect} so the connection is opened again. */
  epoch: number;
  /** Sets the operator token (null signs out and forgets the data). */
  setToken(token: string | null): void;
  setConnection(connection: ConnectionState): void;
  /** The coordinator refused the token: forget it and the data, and say why. */
  refuse(message: string): void;
  /** Opens the connection again with the same token (after the server closed it). */
  reconnect(): void;
  /** Validates and stores a `snapshot` event; invalid ones are counted and ignored. */
  receiveSnapshot(raw: unknown, receivedAt: number): void;
  selectStream(selection: StreamSelection): void;
  /** Shows a node's sources (null closes the panel). */
  selectNode(nodeId: string | null): void;
}

/** Bounds of the store's histories. */
export interface AdminStoreOptions {
  historyLength?: number;
  eventLogLength?: number;
}

/** The store's state before any connection. */
function emptyData(): Pick<
  AdminState,
  'snapshot' | 'receivedAt' | 'histories' | 'events' | 'rejected' | 'selectedNodeId'
> {
  return {
    selectedNodeId: null,
    snapshot: null,
    receivedAt: null,
    histories: {},
    events: [],
    rejected: { count: 0, lastReason: null },
  };
}

/** Creates an admin store; the app uses {@link adminStore}, tests make their own. */
export function createAdminStore(options: AdminStoreOptions = {}): StoreApi<AdminState> {
  const historyLength = options.historyLength ?? DEFAULT_HISTORY_LENGTH;
  const eventLogLength = options.eventLogLength ?? DEFAULT_EVENT_LOG_LENGTH;
  return createStore<AdminState>()((set, get) => ({
    token: null,
    connection: { status: 'signed-out' },
    ...emptyData(),
    selection: ALL_STREAMS,
    epoch: 0,
    setToken(token) {
      set(
        token === null
          ? { token, connection: { status: 'signed-out' }, ...emptyData() }
          : { token, connection: { status: 'connecting' } },
      );
    },
    setConnection(connection) {
      set({ connection });
    },
    refuse(message) {
      set({ token: null, connection: { status: 'refused', message }, ...emptyData() });
    },
    reconnect() {
      set((state) => ({ epoch: state.epoch + 1, connection: { status: 'connecting' } }));
    },
    receiveSnapshot(raw, receivedAt) {
      const parsed = validate(AdminSnapshotSchema, raw);
      if (!parsed.ok) {
        const { count } = get().rejected;
        set({ rejected: { count: count + 1, lastReason: parsed.error.message } });
        return;
      }
      const snapshot = parsed.value;
      const state = get();
      set({
        snapshot,
        receivedAt,
        histories: appendSnapshot(state.histories, snapshot, historyLength),
        events: mergeEvents(state.events, snapshot.events, eventLogLength),
      });
    },
    selectStream(selection) {
      set({ selection });
    },
    selectNode(selectedNodeId) {
      set({ selectedNodeId });
    },
  }));
}

/** The dashboard's store. */
export const adminStore = createAdminStore();

/** Reads a slice of {@link adminStore} in a component. */
export function useAdmin<T>(selector: (state: AdminState) => T): T {
  return useStore(adminStore, selector);
}
