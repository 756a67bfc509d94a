import { useEffect, useId, useRef } from "react";
import { DiffEditor, type DiffEditorProps, type DiffOnMount } from "@monaco-editor/react";
import type { editor } from "monaco-editor";
import { EDITOR_OPTIONS } from "./EditorArea";

/** The options of every read-only diff of the page (review, merge, history). */
export const READ_ONLY_DIFF: editor.IDiffEditorConstructionOptions = {
  ...EDITOR_OPTIONS,
  readOnly: true,
  originalEditable: false,
  renderMarginRevertIcon: false,
  useInlineViewWhenSpaceIsLimited: true,
};

/**
 * `@monaco-editor/react`'s DiffEditor, with its two models disposed after the editor rather than
 * before it: disposing them first (the wrapper's default) makes Monaco throw "TextModel got
 * disposed before DiffEditorWidget model got reset" on every unmount. Pass `originalAriaLabel` and
 * `modifiedAriaLabel` in `options`: each side is a text box a screen reader names.
 */
export function Diff({ onMount, originalModelPath, modifiedModelPath, ...props }: DiffEditorProps) {
  const models = useRef<editor.IDiffEditorModel | null>(null);
  // Models of their own per mount: a remount must not pick up the models about to be disposed.
  const instance = encodeURIComponent(useId());
  const mounted: DiffOnMount = (diff, monaco) => {
    models.current = diff.getModel();
    // The inner editors' labels, given again: Monaco reads them into the editors' screen-reader
    // nodes only on a configuration change, which a diff editor left alone never has.
    const { originalAriaLabel, modifiedAriaLabel } = props.options ?? {};
    if (originalAriaLabel) diff.getOriginalEditor().updateOptions({ ariaLabel: originalAriaLabel });
    if (modifiedAriaLabel) diff.getModifiedEditor().updateOptions({ ariaLabel: modifiedAriaLabel });
    onMount?.(diff, monaco);
  };
  useEffect(
    () => () => {
      const m = models.current;
      // After the wrapper's own cleanup has disposed the editor.
      setTimeout(() => {
        m?.original.dispose();
        m?.modified.dispose();
      });
    },
    [],
  );
  return (
    <DiffEditor
      {...props}
      originalModelPath={originalModelPath && `${originalModelPath}?${instance}`}
      modifiedModelPath={modifiedModelPath && `${modifiedModelPath}?${instance}`}
      keepCurrentOriginalModel
      keepCurrentModifiedModel
      onMount={mounted}
    />
  );
}
