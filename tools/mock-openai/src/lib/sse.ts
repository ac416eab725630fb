/** Frames one server-sent event carrying `payload` as JSON, the way OpenAI streams chunks. */
export function sseEvent(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The sentinel event OpenAI sends after the last chunk of a stream. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** A truncated JSON event, for the `malformed` fault: a client must fail to parse it. */
export const SSE_MALFORMED = 'data: {not json\n\n';
