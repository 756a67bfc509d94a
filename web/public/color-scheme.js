// The remembered colour scheme (Mantine's local-storage manager key, see src/theme.ts), or the
// system's, set before the first paint so a dark-mode user never sees a light flash.
try {
  var s = localStorage.getItem("cistern.color-scheme");
  if (s !== "light" && s !== "dark") s = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  document.documentElement.setAttribute("data-mantine-color-scheme", s);
} catch (e) {
  // No storage (private mode): Mantine picks the scheme once React starts.
}
