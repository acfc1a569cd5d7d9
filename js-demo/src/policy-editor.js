// The policy editor: CodeMirror 6 with @codemirror/lang-json and codemirror-json-schema
// (the vendor bundle ../vendor/codemirror.js, built by ../build-vendor.mjs). The schema
// (@keyhole/wasm's policy.schema.json) gives completion, hover help and inline schema
// errors while typing; the core's compile error (a JSON pointer and a message) stays the
// final word and is shown on its own: the line number and the line are marked and a note
// with the pointer and the message sits right under that line.
import {
  EditorView, EditorState, StateEffect, StateField, Decoration, WidgetType, GutterMarker, RangeSet,
  lineNumberMarkers, basicSetup, jsonSchema, lintGutter, forEachDiagnostic,
} from "../vendor/codemirror.js";

/** { line, pointer, message } of the core's error, or null once the policy compiles. */
const setCoreError = StateEffect.define();

const coreError = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setCoreError)) value = e.value;
    return value;
  },
});

class CoreNote extends WidgetType {
  constructor(pointer, message) { super(); this.pointer = pointer; this.message = message; }
  eq(o) { return o.pointer === this.pointer && o.message === this.message; }
  toDOM() {
    const n = document.createElement("div");
    n.className = "kh-core-note";
    n.setAttribute("role", "note");
    const p = document.createElement("span");
    p.className = "note-pointer";
    p.textContent = this.pointer || "(document)";
    n.append(p, " ", String(this.message ?? ""));
    return n;
  }
  ignoreEvent() { return false; }
}

const errorLineMarker = new (class extends GutterMarker { elementClass = "kh-core-error-ln"; })();

function lineOf(state, err) {
  return err ? state.doc.line(Math.min(Math.max(1, err.line), state.doc.lines)) : null;
}

const coreErrorDecorations = EditorView.decorations.compute([coreError, "doc"], (state) => {
  const line = lineOf(state, state.field(coreError));
  if (!line) return Decoration.none;
  const err = state.field(coreError);
  return Decoration.set([
    Decoration.line({ class: "kh-core-error-line", attributes: { "data-core-error": err.pointer || "(document)" } }).range(line.from),
    Decoration.widget({ widget: new CoreNote(err.pointer, err.message), side: 1, block: true }).range(line.to),
  ]);
});

const coreErrorGutter = lineNumberMarkers.compute([coreError, "doc"], (state) => {
  const line = lineOf(state, state.field(coreError));
  return line ? RangeSet.of([errorLineMarker.range(line.from)]) : RangeSet.empty;
});

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "0.82rem", backgroundColor: "#fff" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.25rem" },
  ".cm-tooltip-hover, .cm-tooltip-lint": { maxWidth: "32rem", fontFamily: "system-ui, sans-serif", fontSize: "0.82rem" },
});

/**
 * Makes the editor in `parent` holding `text`. onChange(text) is called on every change of
 * the document; labelledBy / describedBy are element ids for the editor's accessible name
 * and description.
 */
export function createPolicyEditor({ parent, text, schema, onChange, labelledBy, describedBy }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        lintGutter(),
        ...(schema ? [jsonSchema(schema)] : []),
        coreError, coreErrorDecorations, coreErrorGutter,
        theme,
        EditorView.lineWrapping, // long lines wrap, so the core's note under a line is never cut off
        EditorView.contentAttributes.of({
          id: "policy-text", "aria-multiline": "true", spellcheck: "false", autocapitalize: "off",
          ...(labelledBy ? { "aria-labelledby": labelledBy } : {}),
          ...(describedBy ? { "aria-describedby": describedBy } : {}),
        }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    /** Shows the core's error (line from lineOfPointer) or, with null, clears it. */
    setCoreError(err) {
      view.dispatch({ effects: setCoreError.of(err) });
    },
    /** Scrolls the editor so that offset `pos` is in the middle. */
    scrollTo(pos) {
      view.dispatch({ effects: EditorView.scrollIntoView(pos, { y: "center" }) });
    },
    selectLine(n) {
      const line = view.state.doc.line(Math.min(Math.max(1, n), view.state.doc.lines));
      view.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
      view.focus();
    },
    /** The inline diagnostics (JSON syntax and schema) now shown: [{ from, to, line, severity, message, source }]. */
    diagnostics() {
      const out = [];
      forEachDiagnostic(view.state, (d, from, to) => out.push({ from, to, line: view.state.doc.lineAt(from).number,
        severity: d.severity, message: d.message, source: d.source ?? null }));
      return out;
    },
  };
}
