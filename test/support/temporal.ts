// The real Temporal dev server (the official CLI binary) per test file, with our search attributes.
import { fileURLToPath } from "node:url";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from "@temporalio/worker";
import { inject } from "vitest";
import { searchAttributeKeys } from "../../src/temporal/search-attributes.js";

export const workflowsPath = fileURLToPath(new URL("../../src/workflows/index.ts", import.meta.url));

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: "existing-path", path: inject("temporalCli") },
      searchAttributes: searchAttributeKeys,
      log: { format: "pretty", level: "error" },
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
