import { startDatabase, withDatabaseName } from '.';

describe('withDatabaseName', () => {
  it('puts the database name into single-host, multi-host and SRV URIs, keeping the options', () => {
    expect(withDatabaseName('mongodb://127.0.0.1:27017/?directConnection=true', 'fapiao')).toBe(
      'mongodb://127.0.0.1:27017/fapiao?directConnection=true',
    );
    expect(withDatabaseName('mongodb://u:p@h1:1,h2:2/old?replicaSet=rs0', 'fapiao')).toBe('mongodb://u:p@h1:1,h2:2/fapiao?replicaSet=rs0');
    expect(withDatabaseName('mongodb+srv://cluster0.example.net', 'fapiao')).toBe('mongodb+srv://cluster0.example.net/fapiao');
  });

  it('rejects what is not a MongoDB URI', () => {
    expect(() => withDatabaseName('postgres://localhost/db', 'x')).toThrow('not a mongodb');
  });
});

describe('startDatabase', () => {
  it('uses MONGODB_URI when it is set, starting nothing', async () => {
    const db = await startDatabase({ purpose: 'test', env: { MONGODB_URI: 'mongodb://db.internal:27017/prod' } });
    expect(db).toMatchObject({ kind: 'MONGODB_URI', uri: 'mongodb://db.internal:27017/prod' });
    await db.stop();
  });
});
