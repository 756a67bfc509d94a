import { useEffect } from "react";

/** Sets the tab title, so history and tabs say which page is which. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Cistern`;
  }, [title]);
}
