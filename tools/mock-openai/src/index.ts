export {
  startMockOpenAi,
  type MockOpenAi,
  type StartMockOpenAiOptions,
} from './lib/mock-openai-server';
export {
  DEFAULT_MOCK_OPTIONS,
  DEFAULT_REPLY,
  MOCK_FAULTS,
  MOCK_FINISH_REASONS,
  MockOptionsError,
  type MockFault,
  type MockFinishReason,
  type MockOptions,
} from './lib/mock-options';
export {
  RECENT_REQUESTS_LIMIT,
  type MockStats,
  type RecordedRequest,
  type RecordedRequestBody,
} from './lib/mock-stats';
export type { ChatCompletionRequestBody } from './lib/chat-request';
export {
  DEFAULT_EMBEDDING_DIMENSIONS,
  type EmbeddingInput,
  type EmbeddingsRequestBody,
} from './lib/embeddings-request';
export { mockEmbedding } from './lib/embedding-vector';
export type { OpenAiErrorBody } from './lib/openai-errors';
export {
  REQUEST_OPTION_KEYS,
  REQUEST_OPTIONS_PREFIX,
  type RequestOptions,
} from './lib/request-options';
export { splitIntoChunks } from './lib/split-into-chunks';
