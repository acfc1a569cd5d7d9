// One worker thread of the Node filter pool (filter-pool.js): its own @keyhole/wasm instance,
// policies compiled on first use (by text), one job at a time. Replies carry the filtered
// bytes (transferred, not copied) or the core's error code, so the handler answers exactly
// as it would have on the main thread.
import { parentPort, workerData } from "node:worker_threads";
import { loadKeyhole } from "@keyhole/wasm";

const kh = await loadKeyhole();
if (kh.setLimits && workerData?.maxPayloadBytes) kh.setLimits({ maxPayloadBytes: workerData.maxPayloadBytes });
const policies = new Map();

function policyFor(text) {
  let p = policies.get(text);
  if (!p) { p = kh.compilePolicy(text); policies.set(text, p); }
  return p;
}

parentPort.on("message", ({ id, policyText, bytes, claims, format, output }) => {
  try {
    const out = policyFor(policyText).filter(bytes, claims, { format, output });
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: { code: e?.code ?? "internal", message: String(e?.message ?? e), pointer: e?.pointer } });
  }
});
parentPort.postMessage({ ready: true });
