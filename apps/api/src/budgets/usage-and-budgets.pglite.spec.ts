import { openDatabase } from '../database/open-database';
import { describeUsageAndBudgets } from './usage-and-budgets.contract';

// PGlite loads its own files with import(), which Jest allows only with --experimental-vm-modules:
// the api's test target sets it (apps/api/project.json).
jest.setTimeout(60_000);

describeUsageAndBudgets('the embedded PostgreSQL (PGlite)', () =>
  openDatabase({ dir: 'memory://' }),
);
