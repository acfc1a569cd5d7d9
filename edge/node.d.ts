// Type declarations for @keyhole/edge/node: serving a fetch handler over node:http.
import type { Server } from "node:http";
import type { LogEntry } from "./index.js";

export interface FetchHandler {
  fetch(request: Request, env?: unknown, ctx?: { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void }): Promise<Response>;
}

export interface NodeServer {
  server: Server;
  port: number;
  /** e.g. "http://127.0.0.1:8787" */
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (default 127.0.0.1:8787; port 0: any free port) and serves handler.fetch. */
export function serveNode(handler: FetchHandler, options?: { port?: number; host?: string }): Promise<NodeServer>;

/** The keyhole-edge log line for one request (never a token or a query string). */
export function logLine(entry: LogEntry): string;
