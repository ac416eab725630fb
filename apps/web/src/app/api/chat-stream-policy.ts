import { InjectionToken } from '@angular/core';
import { DEFAULT_RESUME_POLICY, ResumePolicy } from '@tokenstream/stream-client';

/** How {@link ReplyStreams} resumes a dropped reply, and how long Stop waits to be confirmed. */
export interface ChatStreamPolicy extends ResumePolicy {
  /** How long Stop waits for the `cancelled` finish before it ends the reply locally. */
  stopConfirmMs: number;
}

/** The policy the app runs with: the client's defaults, and two seconds for Stop. */
export const DEFAULT_CHAT_STREAM_POLICY: ChatStreamPolicy = {
  ...DEFAULT_RESUME_POLICY,
  stopConfirmMs: 2_000,
};

/** The {@link ChatStreamPolicy} in use; tests provide a faster one. */
export const CHAT_STREAM_POLICY = new InjectionToken<ChatStreamPolicy>('ChatStreamPolicy', {
  providedIn: 'root',
  factory: () => DEFAULT_CHAT_STREAM_POLICY,
});
