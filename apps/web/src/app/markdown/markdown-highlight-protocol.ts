/** The messages between the page and the worker that highlights its code blocks. */

/** A code block to highlight, as the page asks the highlighting worker. */
export interface HighlightRequest {
  id: number;
  code: string;
  language: string;
}

/** The worker's answer: the request's id and `highlightCode`'s result, line by line. */
export interface HighlightAnswer {
  id: number;
  lines: string[] | undefined;
}
