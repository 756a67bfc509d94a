// The coding workspace's live preview. Importing this module loads only the component (a few
// kB): esbuild-wasm (in a worker) and the vendored React are fetched when a preview first renders.
// For `React.lazy`, the component is also the default export.
export { LivePreview, type LivePreviewProps } from "./LivePreview";
export type { ConsoleLine } from "./protocol";
export { LivePreview as default } from "./LivePreview";
