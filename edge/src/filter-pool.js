// Node only: a small pool of worker threads that filter large bodies off the event loop, so
// one expensive payload does not hold up every other request of the proxy (the core runs
// synchronously: on the main thread a 150 KB pathological body once kept a small
// summary.json waiting 14 s). keyhole-edge passes it to createEdgeFilter as `filterPool`;
// the handler itself never imports this file, so it runs unchanged in workerd.
import { Worker } from "node:worker_threads";

export const POOL_DEFAULTS = { threads: 2, minBytes: 256 * 1024, timeoutMs: 30000 };
const WORKER = new URL("./filter-worker.js", import.meta.url);

/** An Error shaped like the core's (`code`), so the handler maps it to the same response. */
const coreError = ({ code, message, pointer }) => Object.assign(new Error(message), { code, pointer });

/**
 * createFilterPool({ threads, minBytes, timeoutMs, maxPayloadBytes })
 *   -> { filter(policyText, bytes, claims, { format, output }) -> Promise<Uint8Array>, minBytes, close() }
 * A job over `timeoutMs` terminates its worker (a fresh one replaces it) and fails as
 * code "timeout" (the handler answers 502): a CPU budget for large bodies.
 */
export function createFilterPool(options = {}) {
  const { threads, minBytes, timeoutMs } = { ...POOL_DEFAULTS, ...options };
  const queue = [];   // jobs not yet started
  const workers = []; // { worker, job }
  let nextId = 1, closed = false;

  function spawn() {
    const slot = { worker: new Worker(WORKER, { workerData: { maxPayloadBytes: options.maxPayloadBytes } }), job: null, ready: false };
    slot.worker.on("message", (m) => (m.ready ? ready(slot) : finish(slot, m)));
    slot.worker.on("error", (e) => replace(slot, { code: "internal", message: `filter worker failed: ${e?.message ?? e}` }));
    slot.worker.on("exit", () => replace(slot, { code: "internal", message: "filter worker exited" }));
    // An idle pool must not keep the process alive; a worker with work to do must.
    slot.worker.unref();
    workers.push(slot);
    if (queue.length) slot.worker.ref();
  }

  function ready(slot) {
    slot.ready = true;
    slot.worker.unref();
    pump();
  }

  function finish(slot, m) {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    clearTimeout(job.timer);
    slot.job = null;
    slot.worker.unref();
    if (m.error) job.reject(coreError(m.error)); else job.resolve(m.out);
    pump();
  }

  /**
   * A worker that died or overran: fail its job, start another in its place. One that died
   * before it was ready (wasm did not load) fails the queue too, and is retried a second later
   * rather than in a tight loop.
   */
  function replace(slot, error) {
    const i = workers.indexOf(slot);
    if (i < 0) return;
    workers.splice(i, 1);
    if (slot.job) { clearTimeout(slot.job.timer); slot.job.reject(coreError(error)); slot.job = null; }
    stop(slot);
    if (closed) return;
    if (slot.ready) { spawn(); pump(); return; }
    for (const j of queue.splice(0)) j.reject(coreError(error));
    setTimeout(() => { if (!closed) spawn(); }, 1000).unref();
  }

  function pump() {
    for (const slot of workers) {
      if (!queue.length) return;
      if (!slot.ready || slot.job) continue;
      const job = queue.shift();
      slot.job = job;
      slot.worker.ref();
      job.timer = setTimeout(() => replace(slot, { code: "timeout", message: `filtering took over ${timeoutMs} ms` }), timeoutMs);
      const bytes = wholeBuffer(job.bytes);
      slot.worker.postMessage({ id: job.id, policyText: job.policyText, bytes, claims: job.claims, format: job.format, output: job.output }, [bytes.buffer]);
    }
  }

  function filter(policyText, bytes, claims, { format, output } = {}) {
    if (closed) return Promise.reject(coreError({ code: "internal", message: "filter pool closed" }));
    return new Promise((resolve, reject) => {
      queue.push({ id: nextId++, policyText, bytes, claims, format, output, resolve, reject });
      for (const slot of workers) if (!slot.ready) slot.worker.ref();
      pump();
    });
  }

  async function close() {
    closed = true;
    for (const j of queue.splice(0)) j.reject(coreError({ code: "internal", message: "filter pool closed" }));
    await Promise.all(workers.splice(0).map(stop));
  }

  for (let i = 0; i < Math.max(1, threads); i++) spawn();
  return { filter, minBytes, close };
}

function stop(slot) {
  slot.worker.removeAllListeners();
  slot.worker.on("error", () => {});
  return slot.worker.terminate().catch(() => {});
}

/** The bytes in an ArrayBuffer of their own, so it can be transferred to the worker. */
function wholeBuffer(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
