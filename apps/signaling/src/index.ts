export { startCoordinator, type RunningCoordinator } from './server.ts';
export {
  resolveConfig,
  ConfigError,
  REPO_ROOT,
  type CoordinatorOptions,
  type CoordinatorConfig,
  type IceServer,
  type RateLimit,
} from './config.ts';
export { Coordinator, type CoordinatorDeps, type CoordinatorSettings } from './coordinator/coordinator.ts';
export { PeerSession } from './coordinator/peer-session.ts';
export { adminSnapshot, streamTopology } from './coordinator/snapshot.ts';
export { stateDigest } from './coordinator/digest.ts';
export { SignalingError } from './errors.ts';
export { CoordinatorDb, DatabaseError, type SublevelName } from './db/database.ts';
export { probeStream, ProbeError, type ProbeResult } from './streams/probe.ts';
export { StreamRegistrar } from './streams/registrar.ts';
export { probeManifest, type ManifestProbeResult } from './streams/manifest-probe.ts';
export {
  generatePublisherKey,
  loadOrCreatePublisherKey,
  nodeCrypto,
  readPublisherKey,
} from './integrity/publisher-key.ts';
export type { NodeLink, NodeRecord } from './registry/node-registry.ts';
