import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal dialog on the native <dialog>: focus moves in and stays in, Escape closes, the
 * page behind is inert. Open while mounted; `onClose` runs when the user dismisses it.
 */
export function Dialog({
  title,
  children,
  onClose,
  testId,
  wide = false,
}: {
  title: string;
  children: ReactNode;
  onClose: () => void;
  testId?: string;
  /** Room for long content (code, JSON bodies). */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? "dialog dialog-wide" : "dialog"}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
