// Types of runPolicyTests / diffPolicies (wasm/policy-tests.js; docs/policy-tests.md).

/** A document as given: JSON text, raw bytes or an object (JSON.stringify'd). */
export type PolicyTestDocument = string | Uint8Array | ArrayBuffer | ArrayBufferView | object;

export interface PolicyTestOptions {
  /** Reads a file a test file names (paths resolved against the test file's folder). Sync. */
  readFile?: (path: string) => Uint8Array | string;
  /** The files by path, instead of readFile (browsers). */
  files?: Record<string, PolicyTestDocument> | Map<string, PolicyTestDocument>;
}

/** A malformed test file, policy, viewer or payload. */
export interface PolicyTestError { file: string; pointer: string; message: string }
export interface PolicyTestFailure { file: string; viewer: string; payload: string; message: string }

export interface PolicyTestReport {
  passed: number;
  failed: number;
  files: number;
  failures: PolicyTestFailure[];
  errors: PolicyTestError[];
  /** 0 all passed, 1 an expectation failed, 2 something is malformed (as `keyhole test`). */
  exitCode: 0 | 1 | 2;
  ok: boolean;
  /** The `keyhole test` text report: FAIL lines, then "N passed, M failed". */
  text: string;
}

export interface PolicyDiffRequest {
  old: PolicyTestDocument;
  new: PolicyTestDocument;
  /** Claims by viewer name. */
  viewers: Record<string, PolicyTestDocument>;
  /** Payloads by name. */
  payloads: Record<string, PolicyTestDocument>;
  format?: "auto" | "statuspage" | "confluence" | "jsm";
}

export interface PolicyDiffChange {
  viewer: string; payload: string; kind: string; id: string; name: string;
  change: "visible" | "hidden";
}

export interface PolicyDiffReport {
  pairs: number;
  changes: PolicyDiffChange[];
  errors: PolicyTestError[];
  /** 1 when anything becomes visible to anyone, 2 on an error, else 0 (as `keyhole diff`). */
  exitCode: 0 | 1 | 2;
  ok: boolean;
  text: string;
}
