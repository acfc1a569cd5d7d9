// The entry of the demo's CodeMirror 6 vendor bundle (built by ../build-vendor.mjs into
// ../vendor/codemirror.js). Only what src/policy-editor.js uses is re-exported.
export { EditorView, keymap, Decoration, WidgetType, GutterMarker, lineNumberMarkers } from "@codemirror/view";
export { EditorState, StateEffect, StateField, RangeSet } from "@codemirror/state";
export { basicSetup } from "codemirror";
export { json, jsonLanguage, jsonParseLinter } from "@codemirror/lang-json";
export { linter, lintGutter, forEachDiagnostic, diagnosticCount } from "@codemirror/lint";
export { startCompletion, currentCompletions, completionStatus } from "@codemirror/autocomplete";
export { jsonSchema, jsonSchemaLinter, jsonCompletion, jsonSchemaHover, handleRefresh, stateExtensions, updateSchema }
  from "codemirror-json-schema";

// codemirror-json-schema parses unfinished JSON with best-effort-json-parser, which logs
// every text with trailing tokens (any prefix being typed) to console.error by default.
import { disableErrorLogging } from "best-effort-json-parser";
disableErrorLogging();
