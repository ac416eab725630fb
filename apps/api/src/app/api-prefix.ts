import type { INestApplication } from '@nestjs/common';
import { OPENAI_ROUTES } from '../openai-compat/openai-paths';

/** The prefix of the native routes (`/api/…`); the OpenAI-compatible ones stay at `/v1/…`. */
export const API_PREFIX = 'api';

/** Puts every native route under `/api`, leaving the OpenAI-compatible ones where OpenAI's SDKs expect them. */
export function useApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: OPENAI_ROUTES });
}
