/**
 * highlight.js off the page's own thread: the first use of a grammar compiles it (20-60 ms of
 * script for TypeScript or Java), and a code block that is still streaming is highlighted again
 * on every delta, so doing it here keeps both out of the page's frames. One answer per request,
 * in the order asked.
 */
import type { HighlightAnswer, HighlightRequest } from './markdown-highlight-protocol';
import { highlightCodeLines } from './markdown-highlight';

addEventListener('message', ({ data }: MessageEvent<HighlightRequest>) => {
  const answer: HighlightAnswer = {
    id: data.id,
    lines: highlightCodeLines(data.code, data.language),
  };
  postMessage(answer);
});
