// Connections to Temporal: the configured server, or the dev server `up` starts.
import { Client, Connection } from "@temporalio/client";
import type { Config } from "../config.js";

export function temporalAddress(cfg: Config): string {
  return cfg.TEMPORAL_ADDRESS ?? `127.0.0.1:${cfg.TEMPORAL_PORT}`;
}

export async function connectTemporal(cfg: Config, address = temporalAddress(cfg)): Promise<{ connection: Connection; client: Client }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5000 });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${address} (${(error as Error).message}); start the stack with ./run start or set TEMPORAL_ADDRESS`,
    );
  }
  return { connection, client: new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE }) };
}
