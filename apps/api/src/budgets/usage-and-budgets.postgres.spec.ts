import { startPostgres, type PostgresServer } from '@tokenstream/e2e-support';
import { openDatabase } from '../database/open-database';
import { describeUsageAndBudgets } from './usage-and-budgets.contract';

jest.setTimeout(60_000);

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

describeUsageAndBudgets('a PostgreSQL server', async () =>
  openDatabase({ url: await server.createDatabase() }),
);
