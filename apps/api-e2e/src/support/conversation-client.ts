import { readStream, type StreamTranscript } from '@tokenstream/e2e-support';
import {
  type Conversation,
  type ConversationMessage,
  type ConversationPage,
  type ReplyPlace,
} from '@tokenstream/stream-contracts';
import { openStream } from './stream-client';

/** Where the conversation routes live (not in `ApiPaths`, which names the streaming routes). */
const CONVERSATIONS_PATH = '/api/conversations';

/** How long a kept reply may take to reach the state a test waits for. */
const KEPT_REPLY_TIMEOUT_MS = 10_000;

/** How often a test looks at a kept reply while it waits. */
const POLL_INTERVAL_MS = 50;

/** Someone calling the api: where it is, and the credentials they send (none without auth). */
export interface Caller {
  url: string;
  headers?: Record<string, string>;
}

/** A turn of a kept conversation: the new user message (none: a regenerate) and where it goes. */
export interface TurnInput {
  text?: string;
  id?: string;
  parentId?: string;
}

/** `GET`, `PATCH` or `DELETE /api/conversations/:id` (or the list, without an id), answered as it came. */
export function conversationRequest(
  caller: Caller,
  method: 'GET' | 'PATCH' | 'DELETE',
  id?: string,
  body?: unknown,
  query: Record<string, string> = {},
): Promise<Response> {
  const url = new URL(
    id === undefined ? CONVERSATIONS_PATH : `${CONVERSATIONS_PATH}/${encodeURIComponent(id)}`,
    caller.url,
  );
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...caller.headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The caller's conversation with every message; fails unless the api answers 200. */
export async function readConversation(caller: Caller, id: string): Promise<Conversation> {
  return okJson<Conversation>(await conversationRequest(caller, 'GET', id));
}

/** One page of the caller's conversations; fails unless the api answers 200. */
export async function listConversations(
  caller: Caller,
  query: Record<string, string> = {},
): Promise<ConversationPage> {
  return okJson<ConversationPage>(
    await conversationRequest(caller, 'GET', undefined, undefined, query),
  );
}

/** `POST /api/chat/stream` with a turn of a kept conversation, answered as it came. */
export function startTurn(
  caller: Caller,
  turn: TurnInput,
  signal?: AbortSignal,
): Promise<Response> {
  const { text, ...conversation } = turn;
  return openStream(
    caller.url,
    { messages: text === undefined ? [] : [{ role: 'user', content: text }], conversation },
    signal,
    caller.headers,
  );
}

/** Plays a whole turn and reads its stream to the end; fails unless the stream opens. */
export async function playTurn(
  caller: Caller,
  turn: TurnInput,
): Promise<{ transcript: StreamTranscript; place: ReplyPlace }> {
  const response = await startTurn(caller, turn);
  if (response.status !== 200) {
    throw new Error(`expected a stream, got ${response.status}: ${await response.text()}`);
  }
  const transcript = await readStream(response);
  return { transcript, place: placeOf(transcript) };
}

/** Where the `start` frame says the reply is kept; fails if it says nothing. */
export function placeOf(transcript: StreamTranscript): ReplyPlace {
  const first = transcript.frames[0]?.frame;
  if (first?.type !== 'start' || !first.conversation) {
    throw new Error(`no start frame with a conversation: ${JSON.stringify(first)}`);
  }
  return first.conversation;
}

/**
 * The kept reply once it is no longer `generating` (or once `until` accepts it), polled; fails
 * after 10 s showing the message as it last was.
 */
export async function keptReply(
  caller: Caller,
  place: Pick<ReplyPlace, 'id' | 'messageId'>,
  until: (message: ConversationMessage) => boolean = (message) => message.status !== 'generating',
  timeoutMs = KEPT_REPLY_TIMEOUT_MS,
): Promise<ConversationMessage> {
  const deadline = Date.now() + timeoutMs;
  let last: ConversationMessage | undefined;
  for (;;) {
    const conversation = await readConversation(caller, place.id);
    last = conversation.messages.find((message) => message.id === place.messageId);
    if (last && until(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`reply not as expected after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function okJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
