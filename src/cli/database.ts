// Runs a CLI command against composedb: DATABASE_URL, or the embedded server (attached to when
// `up` is running, started and stopped around the command otherwise).
import { config } from "../config.js";
import { openDatabase, type Db } from "../db/database.js";

export async function withDatabase<T>(run: (db: Db) => Promise<T>): Promise<T> {
  const handle = await openDatabase(config(), (line) => console.error(line));
  try {
    return await run(handle.db);
  } finally {
    await handle.close();
  }
}
