/** How often and how patiently a dropped stream is resumed. */
export interface ResumePolicy {
  /** Reconnections tried in a row without a new frame before giving up. */
  maxAttempts: number;
  /** The first wait; each further one doubles, with jitter, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** The default {@link ResumePolicy}: 6 tries, 250 ms doubling to 5 s. */
export const DEFAULT_RESUME_POLICY: ResumePolicy = {
  maxAttempts: 6,
  initialDelayMs: 250,
  maxDelayMs: 5_000,
};
