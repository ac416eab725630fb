export * from './lib/chat-client-error';
export * from './lib/stream-chat';
