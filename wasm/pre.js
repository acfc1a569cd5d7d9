// Prepended outside the module factory (--extern-pre-js). Emscripten 3.1.6's Node
// branch expects CommonJS globals that an ES module does not have; these stand-ins
// keep the generated module loadable in Node. The package always hands the wasm bytes
// over itself (wasmBinary / instantiateWasm), so Emscripten never reads files.
var __dirname = "";
var require = function (id) {
  if (typeof process === "object" && process && typeof process.getBuiltinModule === "function") {
    return process.getBuiltinModule(id);
  }
  throw new Error("@keyhole/wasm: load through loadKeyhole() (cannot require " + id + ")");
};
