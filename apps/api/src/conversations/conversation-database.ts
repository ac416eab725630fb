import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../database/database';
import { useDatabase } from '../database/database-access';
import { conversationsUnavailable } from './conversation-errors';
import { ConversationRepository } from './conversation-repository';

/**
 * The conversation repository once the database is open, with its failures answered as a
 * `503 database_unavailable`: what the routes use.
 */
@Injectable()
export class ConversationDatabase {
  private readonly logger = new Logger(ConversationDatabase.name);
  private repository: ConversationRepository | undefined;

  constructor(private readonly database: Database) {}

  /**
   * Runs `use` with the repository. A database that cannot be opened or answer is a `503`; any
   * other error (an `ApiException` it threw, a bug) goes on as it is.
   */
  use<T>(use: (repository: ConversationRepository) => Promise<T>): Promise<T> {
    return useDatabase(
      this.database,
      (db) => use((this.repository ??= new ConversationRepository(db))),
      conversationsUnavailable,
      this.logger,
    );
  }
}
