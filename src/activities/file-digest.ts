// Digests of files on disk (builds, staged compose files, the mirror), streamed so an image of
// gigabytes never sits in memory.
import { createHash } from "node:crypto";
import fs from "node:fs";

export async function hashFile(file: string, algorithm: "sha256" | "md5" = "sha256"): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
