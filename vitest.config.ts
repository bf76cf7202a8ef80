import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites each start a Temporal dev server and create databases; two at a time
    // keeps a two-core machine responsive.
    maxWorkers: 2,
    pool: "forks",
  },
});
