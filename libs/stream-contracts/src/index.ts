export * from './lib/frames';
export * from './lib/error-codes';
export * from './lib/headers';
export * from './lib/chat-request';
