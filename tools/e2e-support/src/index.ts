export {
  API_MAIN,
  WEB_INDEX,
  spawnApi,
  startApi,
  withApi,
  type ApiOptions,
  type ApiProcess,
  type LogLine,
  type SpawnedApi,
} from './lib/api-process';
export { cuttingFetch, seededRandom } from './lib/cutting-fetch';
export { freePort } from './lib/free-port';
export { writeKeysFile, type TestKey } from './lib/keys-file';
export { writeModelsFile } from './lib/models-file';
export { exitOf, type ProcessExit } from './lib/process-exit';
export { startRedis, type RedisServer } from './lib/redis-server';
export { fetchStreamEvents, type StreamEventsRequest } from './lib/fetch-stream-events';
export {
  READ_STREAM_TIMEOUT_MS,
  readStream,
  type ReadStreamOptions,
  type StreamTranscript,
} from './lib/read-stream';
export { replyOf } from './lib/reply-of';
export { stopChild, type StopOptions } from './lib/stop-child';
export { waitForLog } from './lib/wait-for-log';
export { startPostgres, type PostgresServer } from './lib/postgres-server';
export { WORKSPACE_VERSION } from './lib/workspace-version';
