import { openDatabase } from '../database/open-database';
import { describeConversationRepository } from './conversation-repository.contract';

// PGlite loads its own files with import(), which Jest allows only with --experimental-vm-modules:
// the api's test target sets it (apps/api/project.json).
// The embedded database's first start makes its files (several seconds on two cores).
jest.setTimeout(60_000);

describeConversationRepository('the embedded PostgreSQL (PGlite)', () =>
  openDatabase({ dir: 'memory://' }),
);
