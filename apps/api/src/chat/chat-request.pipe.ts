import { Injectable } from '@nestjs/common';
import { chatRequestSchema, type ChatRequest } from '@tokenstream/stream-contracts';
import { ZodPipe } from '../common/zod.pipe';

/** Checks a chat request against the shared schema; a bad one is a `400` naming every problem. */
@Injectable()
export class ChatRequestPipe extends ZodPipe<ChatRequest> {
  constructor() {
    super(chatRequestSchema);
  }
}
