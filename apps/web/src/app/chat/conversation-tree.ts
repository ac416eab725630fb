import {
  ChatRequest,
  ConversationMessage,
  FinishReason,
  RequestProblem,
  type ReplyPlace,
} from '@tokenstream/stream-contracts';
import { ChatClientErrorKind } from '@tokenstream/stream-client';

/** Where a message is in its life: user messages are `done` at once. */
export type ReplyStatus = 'streaming' | 'done' | 'stopped' | 'failed';

/** Why a reply failed, as shown under it. */
export interface ReplyError {
  /** A {@link ChatClientErrorKind}, or `stream` for an `error` frame sent by the api. */
  kind: ChatClientErrorKind | 'stream';
  message: string;
  retryable: boolean;
  code?: string;
  problems?: readonly RequestProblem[];
  requestId?: string;
}

/**
 * One message of the conversation shown: a node of its tree. `id` is the api's once it named it
 * (a kept conversation), a local one before that and in a temporary chat.
 */
export interface ChatNode {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant';
  text: string;
  /** A reasoning model's thinking before its reply, shown collapsed. */
  reasoning?: string;
  status: ReplyStatus;
  /** Whether the api keeps this message (its id is the api's). */
  kept: boolean;
  model?: string;
  streamId?: string;
  finishReason?: FinishReason;
  error?: ReplyError;
  /** For a reply: the request that asked for it (a temporary chat's retry sends it again). */
  request?: ChatRequest;
}

/** A conversation's messages, every branch, and the last message of the branch shown. */
export interface ConversationTree {
  /** In the order they were made: siblings' order is their branches' order. */
  nodes: readonly ChatNode[];
  leafId: string | null;
}

export const EMPTY_TREE: ConversationTree = { nodes: [], leafId: null };

/** The messages from the root to `leafId`, in order. */
export function pathTo(tree: ConversationTree, leafId: string | null): ChatNode[] {
  const byId = new Map(tree.nodes.map((node) => [node.id, node]));
  const path: ChatNode[] = [];
  for (let node = leafId ? byId.get(leafId) : undefined; node;) {
    path.unshift(node);
    node = node.parentId ? byId.get(node.parentId) : undefined;
  }
  return path;
}

/** The messages that share `node`'s parent, itself included, oldest first: its branches. */
export function siblingsOf(tree: ConversationTree, node: ChatNode): ChatNode[] {
  return tree.nodes.filter((other) => other.parentId === node.parentId);
}

/** The newest leaf below `id` (itself when it has no replies): where showing its branch ends. */
export function newestLeafUnder(tree: ConversationTree, id: string): string {
  let current = id;
  for (;;) {
    const children = tree.nodes.filter((node) => node.parentId === current);
    const newest = children.at(-1);
    if (!newest) return current;
    current = newest.id;
  }
}

/** `tree` with `node` added as the newest message. */
export function withNode(
  tree: ConversationTree,
  node: ChatNode,
  leafId = node.id,
): ConversationTree {
  return { nodes: [...tree.nodes, node], leafId };
}

/** `tree` with the message `id` changed by `change`. */
export function withChange(
  tree: ConversationTree,
  id: string,
  change: (node: ChatNode) => ChatNode,
): ConversationTree {
  return { ...tree, nodes: tree.nodes.map((node) => (node.id === id ? change(node) : node)) };
}

/** `tree` with the message `from` renamed `to` (its replies follow it): the api named it. */
export function withId(tree: ConversationTree, from: string, to: string): ConversationTree {
  if (from === to) return tree;
  return {
    // Only the messages that change are new objects: the others' views are left alone.
    nodes: tree.nodes.map((node) =>
      node.id === from || node.parentId === from
        ? {
            ...node,
            id: node.id === from ? to : node.id,
            parentId: node.parentId === from ? to : node.parentId,
          }
        : node,
    ),
    leafId: tree.leafId === from ? to : tree.leafId,
  };
}

/** `tree` without the messages `ids` (a turn the api refused, retried in its place). */
export function without(tree: ConversationTree, ids: readonly string[], leafId: string | null) {
  return { nodes: tree.nodes.filter((node) => !ids.includes(node.id)), leafId };
}

/**
 * `tree` without the end of its branch shown that the api never kept (a turn refused before its
 * stream opened, or stopped before the api named it): the next message follows the last message
 * the api has, and the refused one is not left as a branch. The same tree when all of it is kept.
 */
export function withoutUnkeptEnd(tree: ConversationTree): ConversationTree {
  const path = pathTo(tree, tree.leafId);
  let kept = path.length;
  while (kept > 0 && !path[kept - 1].kept) kept -= 1;
  if (kept === path.length) return tree;
  const dropped = path.slice(kept).map((node) => node.id);
  return without(tree, dropped, path[kept - 1]?.id ?? null);
}

/** `tree` once the api kept the turn of the reply `replyId`: its question and it take the api's ids. */
export function withPlace(
  tree: ConversationTree,
  replyId: string,
  place: ReplyPlace,
): ConversationTree {
  const reply = tree.nodes.find((node) => node.id === replyId);
  if (!reply) return tree;
  let placed = tree;
  if (reply.parentId && reply.parentId !== place.parentId) {
    placed = withId(placed, reply.parentId, place.parentId);
  }
  placed = withId(placed, reply.id, place.messageId);
  placed = withChange(placed, place.parentId, (node) => ({ ...node, kept: true }));
  return withChange(placed, place.messageId, (node) => ({ ...node, kept: true }));
}

/** What a kept reply that failed says, by the code the api kept (it keeps no message). */
const FAILED_BECAUSE: Record<string, string> = {
  stream_abandoned: 'The reply was cancelled because the connection was lost for too long.',
  server_shutting_down: 'The server restarted while writing this reply.',
  generation_lost: 'The reply was lost on the server.',
  reply_too_large: 'The reply grew past the size this server allows, so it was ended.',
  upstream_timeout: 'The model took too long to answer.',
  upstream_rate_limited: 'The model is busy right now.',
};

/** A kept conversation's messages as the chat shows them. */
export function treeOf(messages: readonly ConversationMessage[], leafId: string | null) {
  const nodes = messages
    .filter((message) => message.role !== 'system')
    .map((message): ChatNode => {
      const node: ChatNode = {
        id: message.id,
        parentId: message.parentId,
        role: message.role as 'user' | 'assistant',
        text: message.content,
        ...(message.reasoning ? { reasoning: message.reasoning } : {}),
        kept: true,
        status: STATUS_OF[message.status],
        model: message.model ?? undefined,
        streamId: message.streamId ?? undefined,
        finishReason: message.finishReason ?? undefined,
      };
      if (message.status === 'failed') {
        const code = message.errorCode ?? 'internal_error';
        node.error = {
          kind: 'stream',
          code,
          message: FAILED_BECAUSE[code] ?? `This reply failed (${code}).`,
          retryable: true,
        };
      }
      return node;
    });
  return { nodes, leafId } satisfies ConversationTree;
}

const STATUS_OF: Record<ConversationMessage['status'], ReplyStatus> = {
  generating: 'streaming',
  complete: 'done',
  cancelled: 'stopped',
  failed: 'failed',
};
