import type { ChatMessage } from '@tokenstream/stream-contracts';

const QUOTE_LIMIT = 80;

function lastUserMessage(messages: ChatMessage[]): string {
  const last = [...messages].reverse().find((message) => message.role === 'user');
  const text = (last?.content ?? '').replace(/\s+/g, ' ').trim();
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT - 1)}…` : text;
}

/**
 * The demo model's answer: deterministic for a given conversation, plain about being a demo, and
 * shaped to exercise the chat UI (paragraphs, a list, a code block).
 */
export function demoReply(messages: ChatMessage[]): string {
  const prompt = lastUserMessage(messages);
  const turn = messages.filter((message) => message.role === 'user').length;
  return [
    `This is the **tokenstream demo model**, not a real AI: it answers every message with this same text, streamed token by token so you can see the whole product work without a key or a network.`,
    prompt
      ? `You wrote: "${prompt}" (message ${turn} of this conversation).`
      : `Your message was empty.`,
    `To talk to a real model, restart the api with an OpenAI-compatible upstream:`,
    [
      `- **OpenAI**: set \`OPENAI_API_KEY\` and, if you like, \`CHAT_MODEL\`.`,
      `- **Ollama, vLLM, LM Studio, llama.cpp or LiteLLM**: also set \`OPENAI_BASE_URL\` to the server's \`/v1\` address.`,
      `- **Azure OpenAI**: point \`OPENAI_BASE_URL\` at your deployment's OpenAI-compatible endpoint.`,
    ].join('\n'),
    ['```sh', 'OPENAI_API_KEY=sk-... CHAT_MODEL=gpt-4o-mini npm start', '```'].join('\n'),
    `Everything else you see here is real: the stream, the keep-alives, Stop, and the errors.`,
  ].join('\n\n');
}

/** Splits text into token-sized pieces (a word with the spaces before it), keeping every character. */
export function demoTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}
