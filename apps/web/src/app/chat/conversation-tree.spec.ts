import type { ConversationMessage } from '@tokenstream/stream-contracts';
import {
  ChatNode,
  ConversationTree,
  EMPTY_TREE,
  newestLeafUnder,
  pathTo,
  siblingsOf,
  treeOf,
  withChange,
  withId,
  withNode,
  without,
} from './conversation-tree';
import { userMessage } from '../api/testing/conversation-builders';

function node(id: string, parentId: string | null, role: ChatNode['role'] = 'user'): ChatNode {
  return { id, parentId, role, text: id, status: 'done', kept: true };
}

/**
 * q1 ─ a1 ─ q2 ─ a2
 *         └ q2b ─ a2b      (q2b: an edit of q2, made after it)
 * q1b ─ a1b                (an edit of the first message)
 */
const TREE: ConversationTree = {
  nodes: [
    node('q1', null),
    node('a1', 'q1', 'assistant'),
    node('q2', 'a1'),
    node('a2', 'q2', 'assistant'),
    node('q2b', 'a1'),
    node('a2b', 'q2b', 'assistant'),
    node('q1b', null),
    node('a1b', 'q1b', 'assistant'),
  ],
  leafId: 'a2',
};

const ids = (nodes: readonly ChatNode[]) => nodes.map((n) => n.id);
const byId = (tree: ConversationTree, id: string) => tree.nodes.find((n) => n.id === id);

describe('the conversation tree', () => {
  describe('pathTo', () => {
    it('lists the messages from the root down to the leaf, in order', () => {
      expect(ids(pathTo(TREE, 'a2b'))).toEqual(['q1', 'a1', 'q2b', 'a2b']);
      expect(ids(pathTo(TREE, 'a1b'))).toEqual(['q1b', 'a1b']);
    });

    it('is empty for no leaf or a leaf the tree does not have', () => {
      expect(pathTo(TREE, null)).toEqual([]);
      expect(pathTo(TREE, 'nope')).toEqual([]);
    });
  });

  describe('siblingsOf', () => {
    it('lists the branches beside a message, itself included, in the order they were made', () => {
      expect(ids(siblingsOf(TREE, byId(TREE, 'q2b') as ChatNode))).toEqual(['q2', 'q2b']);
      expect(ids(siblingsOf(TREE, byId(TREE, 'q1') as ChatNode))).toEqual(['q1', 'q1b']);
      expect(ids(siblingsOf(TREE, byId(TREE, 'a2') as ChatNode))).toEqual(['a2']);
    });
  });

  describe('newestLeafUnder', () => {
    it('follows the newest reply at each level down to a leaf', () => {
      expect(newestLeafUnder(TREE, 'q1')).toBe('a2b');
      expect(newestLeafUnder(TREE, 'q2')).toBe('a2');
    });

    it('is the message itself when nothing follows it', () => {
      expect(newestLeafUnder(TREE, 'a1b')).toBe('a1b');
    });
  });

  describe('withNode', () => {
    it('adds the message as the newest, and shows it', () => {
      const tree = withNode(TREE, node('q3', 'a2'));

      expect(ids(tree.nodes).at(-1)).toBe('q3');
      expect(ids(pathTo(tree, tree.leafId))).toEqual(['q1', 'a1', 'q2', 'a2', 'q3']);
      expect(TREE.nodes).toHaveLength(8); // the tree it was given is unchanged
    });

    it('keeps showing another leaf when told to', () => {
      expect(withNode(TREE, node('q3', 'a2'), 'a1b').leafId).toBe('a1b');
    });

    it('makes the first message of an empty tree its leaf', () => {
      expect(withNode(EMPTY_TREE, node('q1', null))).toEqual({
        nodes: [node('q1', null)],
        leafId: 'q1',
      });
    });
  });

  describe('withChange', () => {
    it('changes only the message named, leaving the original tree as it was', () => {
      const tree = withChange(TREE, 'a2', (n) => ({ ...n, text: 'changed' }));

      expect(byId(tree, 'a2')?.text).toBe('changed');
      expect(byId(TREE, 'a2')?.text).toBe('a2');
      expect(tree.nodes.filter((n) => n.text !== n.id).map((n) => n.id)).toEqual(['a2']);
      expect(tree.leafId).toBe('a2');
    });
  });

  describe('withId', () => {
    it("renames a message, its replies' parent and the leaf", () => {
      const tree = withId(TREE, 'q2', 'api-q2');

      expect(byId(tree, 'q2')).toBeUndefined();
      expect(byId(tree, 'api-q2')?.parentId).toBe('a1');
      expect(byId(tree, 'a2')?.parentId).toBe('api-q2');
      expect(ids(pathTo(tree, tree.leafId))).toEqual(['q1', 'a1', 'api-q2', 'a2']);
      expect(withId(TREE, 'a2', 'api-a2').leafId).toBe('api-a2');
    });

    it('returns the same tree when the name does not change', () => {
      expect(withId(TREE, 'q2', 'q2')).toBe(TREE);
    });
  });

  describe('without', () => {
    it('removes the messages named and shows the leaf given', () => {
      const tree = without(TREE, ['q2b', 'a2b'], 'a1');

      expect(ids(tree.nodes)).toEqual(['q1', 'a1', 'q2', 'a2', 'q1b', 'a1b']);
      expect(tree.leafId).toBe('a1');
    });
  });

  describe('treeOf', () => {
    const message = (
      id: string,
      parentId: string | null,
      fields: Partial<ConversationMessage> = {},
    ): ConversationMessage => userMessage(id, parentId, `text of ${id}`, fields);

    const reply = (id: string, fields: Partial<ConversationMessage>) =>
      message(id, 'q', { role: 'assistant', model: 'demo', streamId: `s-${id}`, ...fields });

    it('shows kept messages as kept nodes with their text, model, stream and finish', () => {
      const tree = treeOf([message('q', null), reply('a', { finishReason: 'length' })], 'a');

      expect(tree).toEqual({
        nodes: [
          { id: 'q', parentId: null, role: 'user', text: 'text of q', status: 'done', kept: true },
          {
            id: 'a',
            parentId: 'q',
            role: 'assistant',
            text: 'text of a',
            status: 'done',
            kept: true,
            model: 'demo',
            streamId: 's-a',
            finishReason: 'length',
          },
        ],
        leafId: 'a',
      });
    });

    it("maps each message's status: generating streams, complete is done, cancelled is stopped", () => {
      const tree = treeOf(
        [
          message('q', null),
          reply('generating', { status: 'generating' }),
          reply('complete', { status: 'complete' }),
          reply('cancelled', { status: 'cancelled', finishReason: 'cancelled' }),
          reply('failed', { status: 'failed', errorCode: 'upstream_timeout' }),
        ],
        'generating',
      );

      expect(tree.nodes.map((n) => [n.id, n.status])).toEqual([
        ['q', 'done'],
        ['generating', 'streaming'],
        ['complete', 'done'],
        ['cancelled', 'stopped'],
        ['failed', 'failed'],
      ]);
      expect(tree.nodes.filter((n) => n.error).map((n) => n.id)).toEqual(['failed']);
    });

    it('says in words why a failed reply failed, and that retrying may help', () => {
      const failed = (errorCode: ConversationMessage['errorCode']) =>
        treeOf([message('q', null), reply('a', { status: 'failed', errorCode })], 'a').nodes[1]
          ?.error;

      expect(failed('stream_abandoned')).toEqual({
        kind: 'stream',
        code: 'stream_abandoned',
        message: 'The reply was cancelled because the connection was lost for too long.',
        retryable: true,
      });
      expect(failed('server_shutting_down')?.message).toBe(
        'The server restarted while writing this reply.',
      );
      expect(failed('generation_lost')?.message).toBe('The reply was lost on the server.');
      expect(failed('reply_too_large')?.message).toContain('past the size this server allows');
      expect(failed('upstream_timeout')?.message).toBe('The model took too long to answer.');
      expect(failed('upstream_rate_limited')?.message).toBe('The model is busy right now.');
      expect(failed('upstream_unavailable')?.message).toBe(
        'This reply failed (upstream_unavailable).',
      );
      expect(failed(null)).toMatchObject({
        code: 'internal_error',
        message: 'This reply failed (internal_error).',
      });
    });

    it('leaves system messages out', () => {
      const tree = treeOf(
        [message('s', null, { role: 'system' }), message('q', 's'), reply('a', {})],
        'a',
      );

      expect(ids(tree.nodes)).toEqual(['q', 'a']);
      expect(ids(pathTo(tree, 'a'))).toEqual(['q', 'a']);
    });
  });
});
