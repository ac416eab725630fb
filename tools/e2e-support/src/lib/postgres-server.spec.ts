import { Client } from 'pg';
import { startPostgres } from './postgres-server';

// initdb and two server starts.
jest.setTimeout(60_000);

async function rows(url: string, text: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return (await client.query(text)).rows as unknown[];
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  it('refuses connections while halted, and resumes on the same port with its data', async () => {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase();
      await rows(url, "create table notes (text text); insert into notes values ('kept')");
      await server.halt();
      await expect(rows(url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
      await server.resume();
      expect(await rows(url, 'select text from notes')).toEqual([{ text: 'kept' }]);
      await expect(server.resume()).rejects.toThrow(/halt\(\) it before resume\(\)/);
    } finally {
      await server.stop();
    }
    await expect(rows(server.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
  });
});
