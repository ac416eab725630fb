import { TestBed } from '@angular/core/testing';
import { ChatRequest } from '@tokenstream/stream-contracts';
import { AssistantTurn, Turn } from './conversation';
import {
  CONVERSATION_STORAGE,
  CONVERSATION_STORAGE_KEY,
  ConversationStore,
  SAVE_THROTTLE_MS,
  SavedConversation,
} from './conversation-store';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], model: 'demo' };

const DONE: Turn[] = [
  { id: 1, role: 'user', content: 'Hi' },
  {
    id: 2,
    role: 'assistant',
    request,
    text: 'Hello **there**',
    status: 'done',
    finishReason: 'stop',
  },
];
const STREAMING: AssistantTurn = {
  id: 4,
  role: 'assistant',
  request: { messages: [{ role: 'user', content: 'More' }] },
  text: 'Half a re',
  status: 'streaming',
};
const MID_REPLY: SavedConversation = {
  turns: [...DONE, { id: 3, role: 'user', content: 'More' }, STREAMING],
  active: { turnId: 4, streamId: 's-7', lastEventId: '12' },
};

/** A store over `storage` (this tab's jsdom sessionStorage by default). */
function storeOver(storage: Storage | undefined = sessionStorage): ConversationStore {
  TestBed.resetTestingModule();
  TestBed.configureTestingModule({
    providers: [{ provide: CONVERSATION_STORAGE, useValue: storage }],
  });
  return TestBed.inject(ConversationStore);
}

describe('ConversationStore', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => jest.useRealTimers());

  it('restores the turns and the reply that was streaming, as a reload would see them', () => {
    storeOver().save(MID_REPLY);

    expect(storeOver().load()).toEqual(MID_REPLY);
    expect(Object.keys(sessionStorage)).toEqual([CONVERSATION_STORAGE_KEY]);
    expect(CONVERSATION_STORAGE_KEY).toMatch(/\.v1$/);
  });

  it('restores a conversation with no reply streaming, and a failed reply with its error', () => {
    const failed: AssistantTurn = {
      ...STREAMING,
      status: 'failed',
      error: {
        kind: 'gone',
        message: 'This reply is no longer available.',
        retryable: false,
        code: 'stream_not_found',
      },
    };
    const conversation: SavedConversation = { turns: [...DONE, failed] };
    storeOver().save(conversation);

    expect(storeOver().load()).toEqual(conversation);
  });

  it('has nothing to restore in a new tab', () => {
    expect(storeOver().load()).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"turns": [{"id": 1,'],
    ['JSON of another shape', '[1, 2, 3]'],
    ['turns that are not a list', '{"turns": {"0": {}}}'],
    ['a turn with an unknown role', '{"turns": [{"id": 1, "role": "robot", "content": "x"}]}'],
    [
      'a reply with an unknown status',
      JSON.stringify({ turns: [{ ...DONE[1], status: 'thinking' }] }),
    ],
    ['a reply without its request', JSON.stringify({ turns: [{ ...DONE[1], request: null }] })],
    ['two turns with one id', JSON.stringify({ turns: [DONE[0], { ...DONE[1], id: 1 }] })],
    ['an active reply with no stream id', JSON.stringify({ ...MID_REPLY, active: { turnId: 4 } })],
  ])('ignores and removes %s', (_what, raw) => {
    sessionStorage.setItem(CONVERSATION_STORAGE_KEY, raw);

    expect(storeOver().load()).toBeUndefined();
    expect(sessionStorage.getItem(CONVERSATION_STORAGE_KEY)).toBeNull();
  });

  it('does not resume a reply unless it is the last turn and still streaming', () => {
    const store = storeOver();
    store.save({ ...MID_REPLY, active: { turnId: 2, streamId: 's-1', lastEventId: '3' } });
    expect(store.load()).toEqual({ turns: MID_REPLY.turns });

    const ended: SavedConversation = {
      turns: [...DONE],
      active: { turnId: 2, streamId: 's-1', lastEventId: '3' },
    };
    store.save(ended);
    expect(store.load()).toEqual({ turns: DONE });
  });

  it('keeps working, unsaved, where storage throws (full, or disabled by the browser)', () => {
    const broken = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    } as unknown as Storage;
    const store = storeOver(broken);

    expect(() => store.save(MID_REPLY)).not.toThrow();
    expect(store.load()).toBeUndefined();
    expect(() => store.clear()).not.toThrow();
    expect(storeOver(undefined).load()).toBeUndefined();
  });

  it('writes at most once per throttle period while a reply streams, with the latest snapshot', () => {
    jest.useFakeTimers();
    const setItem = jest.spyOn(Storage.prototype, 'setItem');
    try {
      const store = storeOver();
      let text = '';
      const snapshot = (): SavedConversation => ({
        turns: [{ ...STREAMING, text }],
        active: { turnId: 4, streamId: 's-7', lastEventId: String(text.length) },
      });

      // 100 deltas in 1 s, one every 10 ms.
      for (let i = 0; i < 100; i++) {
        text += 'x';
        store.saveSoon(snapshot);
        jest.advanceTimersByTime(10);
      }
      jest.advanceTimersByTime(SAVE_THROTTLE_MS);

      expect(setItem.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(setItem.mock.calls.length).toBeLessThanOrEqual(1_000 / SAVE_THROTTLE_MS + 1);
      expect(store.load()).toEqual(snapshot());
    } finally {
      setItem.mockRestore();
    }
  });

  it('flush writes the pending snapshot at once, and save replaces it', () => {
    jest.useFakeTimers();
    const store = storeOver();
    store.save({ turns: DONE }); // the throttle period starts now

    store.saveSoon(() => MID_REPLY);
    expect(store.load()).toEqual({ turns: DONE });
    store.flush();
    expect(store.load()).toEqual(MID_REPLY);

    store.saveSoon(() => MID_REPLY);
    store.save({ turns: DONE });
    jest.advanceTimersByTime(SAVE_THROTTLE_MS * 2);
    expect(store.load()).toEqual({ turns: DONE });
  });
});
