// What limits each edge load target, in this run's terms (edge-load.mjs): the ratios against
// pass-through, the CPU per request, and the profile's share of each step of a request.
import os from "node:os";

const SIZE_LABEL = { "64k": "64 KB", "1m": "1 MB" };
const pctOf = (steps, name) => 100 * (steps?.find((s) => s.step.startsWith(name))?.share ?? NaN);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "?");
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "?");

/** One bullet per size: the throughput and p99 ratios, the CPU they come from, what the profile shows. */
export function limitsText(results, steps, target, meta) {
  const cores = os.cpus().length;
  const L = ["What limits the targets, this run:", ""];
  for (const size of Object.keys(SIZE_LABEL)) {
    const pass = results[`pass ${size}`], filter = results[`filter ${size}`], cached = results[`cached ${size}`], plain = results[`plain ${size}`];
    if (!pass || !filter) continue;
    const tp = filter.rps / pass.rps, p99x = filter.p99 / pass.p99;
    const s = steps?.[size];
    const wasm = pctOf(s, "wasm filter"), etag = pctOf(s, "ETag"), gc = pctOf(s, "garbage"), http = pctOf(s, "HTTP server"), undici = pctOf(s, "upstream fetch"), pool = pctOf(s, "worker pool");
    const withoutFilter = filter.cpuPerReq * (1 - wasm / 100);
    const met = tp >= target.throughput && p99x <= target.p99;
    const verdict = met ? "both targets met" : `throughput ${tp >= target.throughput ? "met" : "missed"}, p99 ${p99x <= target.p99 ? "met" : "missed"}`;
    L.push(`- **${SIZE_LABEL[size]}, cache off: ${f2(tp)}× pass-through throughput, p99 ${f2(p99x)}× (${verdict}).** ` +
      `The filtering proxy spends ${f2(filter.cpuPerReq)} ms of CPU per request, pass-through ${f2(pass.cpuPerReq)} ms` +
      (plain ? ` and a bare node:http proxy ${f2(plain.cpuPerReq)} ms (filtered = ${f2(filter.rps / plain.rps)}× its throughput)` : "") + ". " +
      (s ? `Of the filtering proxy's busy CPU the wasm filter call is ${f1(wasm)}%, the ETag's SHA-256 ${f1(etag)}%, garbage collection ${f1(gc)}%, node:http and sockets ${f1(http)}%, undici's fetch and web streams ${f1(undici)}%` +
        (pool >= 0.5 ? `, worker-pool messages ${f1(pool)}%` : "") + `; without the filter call it would need ~${f2(withoutFilter)} ms per request. ` : "") +
      (pass.cpuPerReq > (plain?.cpuPerReq ?? Infinity) * 1.5
        ? `Pass-through itself costs ${f1(pass.cpuPerReq / plain.cpuPerReq)}× the bare proxy: it streams the origin's body through undici's fetch and web streams (a Request, a Response and a ReadableStream per request)${tp >= target.throughput ? ", which is why the filtered route, which reads the body whole and writes it in one call, keeps up with it" : ""}.`
        : "") +
      (!met && s ? ` The filter call alone is ~${f2(filter.cpuPerReq * wasm / 100)} ms per request against ${f2(pass.cpuPerReq)} ms for the whole pass-through request: ` +
        `${target.throughput}× would need the whole filtered request in ${f2(pass.cpuPerReq / target.throughput)} ms of CPU, ${f2(pass.cpuPerReq / target.throughput - pass.cpuPerReq)} ms more than pass-through, ` +
        `${pass.cpuPerReq / target.throughput - pass.cpuPerReq < filter.cpuPerReq * wasm / 100 ? "less than the filter call alone, whatever else is removed" : "which removing the rest would allow"}. ` +
        `The worker pool moves that call off the event loop (hence the p99), but adds throughput only with an idle core, and this machine had none (1-minute load average ${meta?.load?.map((x) => x.toFixed(1)).join(" → ") ?? "?"} on ${cores} cores).` : ""));
    if (cached) {
      const c = cached.rps / pass.rps;
      L.push(`- **${SIZE_LABEL[size]}, audience cache on: ${f2(c)}× (${c >= target.cached ? "met" : "missed"}).** A hit skips the origin and the filter: JWT (remembered), viewer (reused), memory-cache lookup, the bytes written as they are: ${f2(cached.cpuPerReq)} ms of CPU per request.`);
    }
  }
  return L.join("\n");
}
