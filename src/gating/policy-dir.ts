// Reads a Greenwave policies directory: every `*.yaml` file, in name order (Greenwave's
// load_policies globs `*.yaml`; other files, such as the `.yaml.j2` templates Fedora keeps, are
// not policies). `!SubjectType` documents found there replace Greenwave's default subject types.
import fs from "node:fs";
import path from "node:path";
import { mergeSubjectTypes, parsePolicyFile, PolicyError, type Policy, type SubjectType } from "../domain/greenwave/policies.js";

export interface LoadedPolicies {
  policies: Policy[];
  subjectTypes: SubjectType[];
  files: string[];
}

export function loadPolicyDirectory(dir: string): LoadedPolicies {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".yaml")).sort();
  } catch (error) {
    throw new PolicyError(dir, 0, null, null, `cannot read the policies directory: ${(error as Error).message}`);
  }
  const policies: Policy[] = [];
  const found: SubjectType[] = [];
  const files: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const set = parsePolicyFile(file, fs.readFileSync(file, "utf8"));
    policies.push(...set.policies);
    found.push(...set.subjectTypes);
    files.push(file);
  }
  return { policies, subjectTypes: mergeSubjectTypes(found), files };
}
