// The vendored React (see vite-plugins/preview-vendor.ts): fetched from the app's own origin the
// first time a preview renders, then handed to every preview frame as the import map's modules.
import { bundleSpecifier, bundleUrl, facades } from "virtual:cistern-preview-vendor";

let bundle: Promise<string> | undefined;

/** Specifier → module source, for the shell's import map. */
export async function vendorModules(): Promise<Record<string, string>> {
  bundle ??= fetch(bundleUrl).then(async (response) => {
    if (!response.ok) throw new Error(`could not load the preview's React (${response.status})`);
    return response.text();
  });
  try {
    return { [bundleSpecifier]: await bundle, ...facades };
  } catch (error) {
    bundle = undefined;
    throw error;
  }
}
