export * from './lib/chat-client-error';
export * from './lib/chat-stream-event';
export { requestHeaders, type ClientOptions } from './lib/client-options';
export * from './lib/connectivity';
export * from './lib/resume-policy';
export * from './lib/response-failure';
export * from './lib/stop-stream';
export * from './lib/stream-chat';
export type { FollowOptions, FollowStart } from './lib/stream-follower';
