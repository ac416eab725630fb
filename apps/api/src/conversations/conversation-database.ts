import { Injectable, Logger } from '@nestjs/common';
import { databaseUnavailable } from './conversation-errors';
import { Database } from '../database/database';
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
  async use<T>(use: (repository: ConversationRepository) => Promise<T>): Promise<T> {
    let repository: ConversationRepository;
    try {
      repository = this.repository ??= new ConversationRepository(await this.database.open());
    } catch {
      throw databaseUnavailable();
    }
    try {
      return await use(repository);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.logger.warn({ err: error }, 'the database failed to answer');
      throw databaseUnavailable();
    }
  }
}

/**
 * Whether `error` says the database is out of reach (rather than that a query is wrong): a socket
 * error, or PostgreSQL's classes 08 (connection exception), 53 (insufficient resources) and 57P
 * (the server shutting down or restarting).
 */
function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return /connection|terminated|timeout/i.test(error.message);
  return (
    /^(08|53|57P)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code)
  );
}
